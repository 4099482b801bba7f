// underlay: composites the image over a solid colour (straight alpha, f32 as cpu::underlay):
// out_a = a + ca (1 - a), out_rgb = (rgb a + c_rgb ca (1 - a)) / out_a, rounded.
#import band
#import pixel

struct UnderlayParams {
    band: Band,
    // Straight RGBA8, packed.
    color: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: UnderlayParams;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

fn composite(raw: u32) -> u32 {
    let p = unpack(raw);
    let a = f32(p.w) / 255.0;
    if (a >= 1.0) {
        return raw;
    }
    let c = unpack(params.color);
    let ca = f32(c.w) / 255.0;
    let out_a = a + ca * (1.0 - a);
    if (out_a <= 0.0) {
        return 0u;
    }
    let v = (vec3<f32>(p.xyz) * a + vec3<f32>(c.xyz) * ca * (1.0 - a)) / out_a;
    let rgb = vec3<u32>(clamp(v + vec3<f32>(0.5), vec3<f32>(0.0), vec3<f32>(255.0)));
    return pack(vec4<u32>(rgb, u32(clamp(out_a * 255.0 + 0.5, 0.0, 255.0))));
}

@compute @workgroup_size(WG, WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let b = params.band;
    for (var dy = gid.y; dy < b.h; dy += groups.y * WG) {
        for (var dx = gid.x; dx < b.w; dx += groups.x * WG) {
            let x = b.x0 + dx;
            let y = b.y0 + dy;
            let raw = src[y * b.in_stride + x - b.in_base];
            dst[y * b.out_stride + x - b.out_base] = composite(raw);
        }
    }
}
