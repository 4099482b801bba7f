// opacity: multiplies alpha by `opacity` (already clamped to 0..1): a' = round(a * opacity).
#import band
#import pixel

struct OpacityParams {
    band: Band,
    opacity: f32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: OpacityParams;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

@compute @workgroup_size(WG, WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let b = params.band;
    for (var dy = gid.y; dy < b.h; dy += groups.y * WG) {
        for (var dx = gid.x; dx < b.w; dx += groups.x * WG) {
            let x = b.x0 + dx;
            let y = b.y0 + dy;
            let raw = src[y * b.in_stride + x - b.in_base];
            let a = u32(f32(raw >> 24u) * params.opacity + 0.5);
            dst[y * b.out_stride + x - b.out_base] = (raw & 0xffffffu) | (min(a, 255u) << 24u);
        }
    }
}
