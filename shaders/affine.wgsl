// affine: output pixel centre p = (x + 0.5, y + 0.5) takes the input colour at q = m · p.
// Nearest copies pixel (floor(qx), floor(qy)); Bilinear interpolates premultiplied RGBA at
// q - 0.5 (as f32, like cpu::affine). Samples outside the input take `fill`.
#import band
#import pixel

struct AffineParams {
    band: Band,
    m0: f32,
    m1: f32,
    m2: f32,
    m3: f32,
    m4: f32,
    m5: f32,
    src_w: u32,
    src_h: u32,
    // Straight RGBA8, packed.
    fill: u32,
    // 0: nearest, 1: bilinear.
    sampling: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: AffineParams;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

fn inside(x: f32, y: f32) -> bool {
    return x >= 0.0 && y >= 0.0 && x < f32(params.src_w) && y < f32(params.src_h);
}

fn fetch(x: f32, y: f32) -> u32 {
    let i = u32(y) * params.band.in_stride + u32(x) - params.band.in_base;
    return src[i];
}

fn tap(x: f32, y: f32, fill: vec4<f32>) -> vec4<f32> {
    if (!inside(x, y)) {
        return fill;
    }
    return premultiply_f32(unpack(fetch(x, y)));
}

fn bilinear(sx: f32, sy: f32) -> u32 {
    let fill = premultiply_f32(unpack(params.fill));
    // Far-away coordinates are clamped so that every tap is still outside the input.
    let x0 = clamp(floor(sx), -2.0, f32(params.src_w) + 1.0);
    let y0 = clamp(floor(sy), -2.0, f32(params.src_h) + 1.0);
    let fx = sx - floor(sx);
    let fy = sy - floor(sy);
    let p00 = tap(x0, y0, fill);
    let p10 = tap(x0 + 1.0, y0, fill);
    let p01 = tap(x0, y0 + 1.0, fill);
    let p11 = tap(x0 + 1.0, y0 + 1.0, fill);
    let top = p00 + (p10 - p00) * fx;
    let bottom = p01 + (p11 - p01) * fx;
    return pack(unpremultiply_f32(top + (bottom - top) * fy));
}

fn sample(x: u32, y: u32) -> u32 {
    let px = f32(x) + 0.5;
    let py = f32(y) + 0.5;
    let qx = params.m0 * px + params.m1 * py + params.m2;
    let qy = params.m3 * px + params.m4 * py + params.m5;
    if (params.sampling == 0u) {
        let fx = floor(qx);
        let fy = floor(qy);
        if (!inside(fx, fy)) {
            return params.fill;
        }
        return fetch(fx, fy);
    }
    return bilinear(qx - 0.5, qy - 0.5);
}

@compute @workgroup_size(WG, WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let b = params.band;
    for (var dy = gid.y; dy < b.h; dy += groups.y * WG) {
        for (var dx = gid.x; dx < b.w; dx += groups.x * WG) {
            let x = b.x0 + dx;
            let y = b.y0 + dy;
            dst[y * b.out_stride + x - b.out_base] = sample(x, y);
        }
    }
}
