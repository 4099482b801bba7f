// op_noise (cpu_filter::op_noise, engine::filter::Noise::value): integer-only noise, so
// both executors give the same bytes. Alpha kept.
#import band
#import pixel

struct NoiseParams {
    band: Band,
    amount: i32,
    gaussian: u32,
    mono: u32,
    seed: u32,
}

@group(0) @binding(0) var<uniform> params: NoiseParams;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

fn pcg(v: u32) -> u32 {
    let state = v * 747796405u + 2891336453u;
    let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
    return (word >> 22u) ^ word;
}

fn round_div(num: i32, den: i32) -> i32 {
    let half = den / 2;
    if (num >= 0) {
        return (num + half) / den;
    }
    return (num - half) / den;
}

// `Noise::value`: channel `c` of the pixel whose hash is `px`.
fn noise(px: u32, c: u32) -> i32 {
    let h = pcg(px ^ ((c + 1u) * 0x9e3779b9u));
    if (params.gaussian == 0u) {
        let u = i32(h >> 16u);
        return round_div((2 * u - 65535) * params.amount * 255, 65535 * 200);
    }
    let g = pcg(h);
    let s = i32(h & 0x7fffu) + i32((h >> 16u) & 0x7fffu) + i32(g & 0x7fffu)
        + i32((g >> 16u) & 0x7fffu) - 2 * 32767;
    return round_div(s * params.amount * 51, 80 * 18919);
}

@compute @workgroup_size(WG, WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let b = params.band;
    for (var dy = gid.y; dy < b.h; dy += groups.y * WG) {
        for (var dx = gid.x; dx < b.w; dx += groups.x * WG) {
            let x = b.x0 + dx;
            let y = b.y0 + dy;
            let p = unpack(src[y * b.in_stride + x - b.in_base]);
            var c = vec4<i32>(p);
            let px = pcg(pcg(params.seed ^ y) ^ x);
            for (var ch = 0u; ch < 3u; ch++) {
                c[ch] = clamp(c[ch] + noise(px, select(ch, 0u, params.mono != 0u)), 0, 255);
            }
            dst[y * b.out_stride + x - b.out_base] = pack(vec4<u32>(c));
        }
    }
}
