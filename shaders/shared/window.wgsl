// The tiled 1-D window shared by the separable filters (op_blur, op_usm, op_grow): a 16×16
// workgroup computes a 16×16 tile of output; the input span along the pass's axis (the tile
// ± reach) is walked in 16-pixel chunks staged in workgroup memory, and every thread folds
// the taps of its own window (offsets −reach..reach, ascending, as the CPU twin) as the
// chunks pass. Reads per pixel: ≈ (16 + 2·reach) / 16; taps: 2·reach + 1.
// The including kernel defines `start() -> vec4<f32>`, `fetch(x, y) -> vec4<f32>` (input
// pixel, coordinates already clamped), `fold(acc, v, k) -> vec4<f32>` and
// `store(x, y, acc)`. Needs `band`.

struct FilterParams {
    band: Band,
    // 0: along x (rows), 1: along y (columns).
    dir: u32,
    reach: u32,
    src_w: u32,
    src_h: u32,
    // op_blur: bit 0 input is 16-bit premultiplied, bit 1 output is; op_grow: 1 max, 0 min.
    fmt: u32,
    coeff_base: u32,
    threshold: f32,
    amount: f32,
    mono: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: FilterParams;

var<workgroup> tile: array<array<vec4<f32>, 16>, 16>;

@compute @workgroup_size(WG, WG)
fn main(
    @builtin(local_invocation_id) lid: vec3<u32>,
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let b = params.band;
    let r = i32(params.reach);
    let vertical = params.dir == 1u;
    let lane = select(lid.x, lid.y, vertical);
    for (var ty = wid.y; ty * WG < b.h; ty += groups.y) {
        for (var tx = wid.x; tx * WG < b.w; tx += groups.x) {
            let ox = b.x0 + tx * WG + lid.x;
            let oy = b.y0 + ty * WG + lid.y;
            // Cross-axis coordinate of this thread's loads, kept inside the bound rows.
            let cx = i32(min(ox, params.src_w - 1u));
            let cy = i32(min(oy, b.y0 + b.h - 1u));
            let t0 = i32(select(b.x0 + tx * WG, b.y0 + ty * WG, vertical));
            let pos = i32(select(ox, oy, vertical));
            let len = i32(select(params.src_w, params.src_h, vertical));
            var acc = start();
            for (var c0 = t0 - r; c0 < t0 + i32(WG) + r; c0 += i32(WG)) {
                let along = clamp(c0 + i32(lane), 0, len - 1);
                if (vertical) {
                    tile[lid.y][lid.x] = fetch(cx, along);
                } else {
                    tile[lid.y][lid.x] = fetch(along, cy);
                }
                workgroupBarrier();
                let jlo = max(0, pos - r - c0);
                let jhi = min(i32(WG), pos + r + 1 - c0);
                for (var j = jlo; j < jhi; j++) {
                    var v: vec4<f32>;
                    if (vertical) {
                        v = tile[j][lid.x];
                    } else {
                        v = tile[lid.y][j];
                    }
                    acc = fold(acc, v, c0 + j - pos);
                }
                workgroupBarrier();
            }
            if (ox < b.x0 + b.w && oy < b.y0 + b.h) {
                store(ox, oy, acc);
            }
        }
    }
}
