// op_usm (cpu_filter::op_usm; also op_usmR and op_sharpen): the vertical Gaussian pass over
// op_blur's 16-bit horizontal pass, fused with the unsharp-mask combination against the
// original image (`orig`, bound with the output's rows and stride).
#import band
#import pixel
#import filter
#import window
#import gauss

@group(0) @binding(2) var<storage, read> src: array<u32>;
@group(0) @binding(3) var<storage, read> orig: array<u32>;
@group(0) @binding(4) var<storage, read_write> dst: array<u32>;

fn fetch(x: i32, y: i32) -> vec4<f32> {
    let i = u32(y) * params.band.in_stride + 2u * u32(x) - params.band.in_base;
    return dequantize16(src[i], src[i + 1u]);
}

// `cpu_filter::usm_pixel`.
fn sharpen(o: vec4<f32>, blurred: vec4<f32>) -> vec4<f32> {
    var d = o - blurred;
    if (params.mono != 0u) {
        let y = 0.299 * d.x + 0.587 * d.y + 0.114 * d.z;
        d = vec4<f32>(y, y, y, d.w);
    }
    let keep = abs(d * 255.0) < vec4<f32>(params.threshold);
    let s = select(o + params.amount * d, o, keep);
    let out = clamp(s, vec4<f32>(0.0), vec4<f32>(1.0));
    return vec4<f32>(min(out.xyz, vec3<f32>(out.w)), out.w);
}

fn store(x: u32, y: u32, acc: vec4<f32>) {
    let i = y * params.band.out_stride + x - params.band.out_base;
    dst[i] = straight(sharpen(premul(orig[i]), acc));
}
