// op_grow (cpu_filter::op_grow): one pass of the separable per-channel maximum (fmt 1,
// dilate) or minimum (fmt 0, erode) of straight RGBA8 over offsets −reach..reach. Exact.
#import band
#import pixel
#import window

@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

fn start() -> vec4<f32> {
    return select(vec4<f32>(255.0), vec4<f32>(0.0), params.fmt == 1u);
}

fn fetch(x: i32, y: i32) -> vec4<f32> {
    return vec4<f32>(unpack(src[u32(y) * params.band.in_stride + u32(x) - params.band.in_base]));
}

fn fold(acc: vec4<f32>, v: vec4<f32>, k: i32) -> vec4<f32> {
    if (params.fmt == 1u) {
        return max(acc, v);
    }
    return min(acc, v);
}

fn store(x: u32, y: u32, acc: vec4<f32>) {
    dst[y * params.band.out_stride + x - params.band.out_base] = pack(vec4<u32>(acc));
}
