// luma_hist: adds the luma histogram (`cpu_color::luma`, 256 bins) of the band's pixels with
// alpha > 0 to hist[hist_base ..][256] (slots of the per-job flags buffer, cleared per job).
// `op_colorize` with `norm` reads it to find the median (`cpu_color::luma_median`).
#import band
#import pixel

struct LumaHistParams {
    band: Band,
    hist_base: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: LumaHistParams;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> hist: array<atomic<u32>>;

var<workgroup> local: array<atomic<u32>, 256>;

fn luma(p: vec4<u32>) -> u32 {
    return (p.x * 19595u + p.y * 38470u + p.z * 7471u + 32768u) >> 16u;
}

@compute @workgroup_size(WG, WG)
fn main(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    atomicStore(&local[lid], 0u);
    workgroupBarrier();
    let b = params.band;
    for (var dy = gid.y; dy < b.h; dy += groups.y * WG) {
        for (var dx = gid.x; dx < b.w; dx += groups.x * WG) {
            let p = unpack(src[(b.y0 + dy) * b.in_stride + b.x0 + dx - b.in_base]);
            if p.w > 0u {
                atomicAdd(&local[luma(p)], 1u);
            }
        }
    }
    workgroupBarrier();
    let n = atomicLoad(&local[lid]);
    if n > 0u {
        atomicAdd(&hist[params.hist_base + lid], n);
    }
}
