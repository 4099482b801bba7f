// op_blur (cpu_filter::op_blur): one pass of the separable Gaussian on premultiplied RGBA.
// Pass 1 (dir 0, fmt 2): straight RGBA8 → 16-bit premultiplied; pass 2 (dir 1, fmt 1):
// 16-bit → straight RGBA8. Weights `w[|k|]` from `coeffs[coeff_base ..]`. op_usm runs pass 1
// of this kernel too.
#import band
#import pixel
#import filter
#import window
#import gauss

@group(0) @binding(2) var<storage, read> src: array<u32>;
@group(0) @binding(3) var<storage, read_write> dst: array<u32>;

fn fetch(x: i32, y: i32) -> vec4<f32> {
    let b = params.band;
    if ((params.fmt & 1u) != 0u) {
        let i = u32(y) * b.in_stride + 2u * u32(x) - b.in_base;
        return dequantize16(src[i], src[i + 1u]);
    }
    return premul(src[u32(y) * b.in_stride + u32(x) - b.in_base]);
}

fn store(x: u32, y: u32, acc: vec4<f32>) {
    let b = params.band;
    if ((params.fmt & 2u) != 0u) {
        let i = y * b.out_stride + 2u * x - b.out_base;
        dst[i] = quantize16(acc.xy);
        dst[i + 1u] = quantize16(acc.zw);
    } else {
        dst[y * b.out_stride + x - b.out_base] = straight(acc);
    }
}
