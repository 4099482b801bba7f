// The skeleton of every per-pixel `op_*` colour kernel (`cpu_color::map_rgb`): straight RGB in
// 0..1 goes through the kernel's `apply(c, params.k)`, is rounded once (floor(v·255 + ½),
// clamped) and alpha is kept. Needs `band` and `pixel`. Mirrored by `shaders::ColorParams`.
struct ColorParams {
    band: Band,
    // `ColorOp::params`: the op's parameters, unused ones 0.
    k: vec4<f32>,
}

@group(0) @binding(0) var<uniform> params: ColorParams;
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
            let c = vec3<f32>(unpack(raw).xyz) / 255.0;
            let o = clamp(floor(apply(c, params.k) * 255.0 + 0.5), vec3<f32>(0.0), vec3<f32>(255.0));
            let q = vec3<u32>(o);
            dst[y * b.out_stride + x - b.out_base] = q.x | (q.y << 8u) | (q.z << 16u) | (raw & 0xff000000u);
        }
    }
}
