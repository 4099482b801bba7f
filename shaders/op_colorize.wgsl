// op_colorize (cpu_color::op_colorize): luma (Pillow's convert("L")), with `norm` (k.w >= 0) a
// gamma moving the median luma (from `luma_hist`) to 50% and the contrast slant k.w, then mapped
// onto the colour k.xyz: Y < 1/2: 2Y k, else k + (1 - k)(2Y - 1). Alpha kept.
#import band
#import pixel

struct ColorizeParams {
    band: Band,
    k: vec4<f32>,
    hist_base: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: ColorizeParams;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;
@group(0) @binding(3) var<storage, read> hist: array<u32>;

var<workgroup> gamma_wg: f32;

fn luma(p: vec4<u32>) -> u32 {
    return (p.x * 19595u + p.y * 38470u + p.z * 7471u + 32768u) >> 16u;
}

// cpu_color::luma_median and cpu_color::norm_gamma.
fn norm_gamma() -> f32 {
    var total = 0u;
    for (var i = 0u; i < 256u; i++) {
        total += hist[params.hist_base + i];
    }
    var m = 128u;
    if total > 0u {
        let half = (total + 1u) / 2u;
        var cum = 0u;
        m = 255u;
        for (var i = 0u; i < 256u; i++) {
            cum += hist[params.hist_base + i];
            if cum >= half {
                m = i;
                break;
            }
        }
    }
    let mf = f32(clamp(m, 1u, 254u)) / 255.0;
    return log(0.5) / log(mf);
}

@compute @workgroup_size(WG, WG)
fn main(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let k = params.k;
    if lid == 0u {
        if k.w >= 0.0 {
            gamma_wg = norm_gamma();
        } else {
            gamma_wg = 1.0;
        }
    }
    workgroupBarrier();
    let gamma = gamma_wg;
    let b = params.band;
    for (var dy = gid.y; dy < b.h; dy += groups.y * WG) {
        for (var dx = gid.x; dx < b.w; dx += groups.x * WG) {
            let x = b.x0 + dx;
            let y = b.y0 + dy;
            let raw = src[y * b.in_stride + x - b.in_base];
            var l = f32(luma(unpack(raw))) / 255.0;
            if k.w >= 0.0 {
                if l > 0.0 {
                    l = pow(l, gamma);
                }
                l = clamp((l - 0.5) * k.w + 0.5, 0.0, 1.0);
            }
            var o: vec3<f32>;
            if l < 0.5 {
                o = k.xyz * 2.0 * l;
            } else {
                o = k.xyz + (vec3<f32>(1.0) - k.xyz) * (2.0 * l - 1.0);
            }
            let q = vec3<u32>(clamp(floor(o * 255.0 + 0.5), vec3<f32>(0.0), vec3<f32>(255.0)));
            dst[y * b.out_stride + x - b.out_base] = q.x | (q.y << 8u) | (q.z << 16u) | (raw & 0xff000000u);
        }
    }
}
