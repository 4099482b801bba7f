// is_opaque: sets alpha[alpha_slot] to 1 when any pixel of the band has alpha < 255 (the twin
// of `Image::is_opaque`, negated). `resample` premultiplies only images that are not opaque,
// exactly as cpu::resample does, and its input may be an intermediate that never left the GPU.
#import band
#import pixel

struct IsOpaqueParams {
    band: Band,
    alpha_slot: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: IsOpaqueParams;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> alpha: array<atomic<u32>>;

var<workgroup> seen: atomic<u32>;

@compute @workgroup_size(WG, WG)
fn main(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let b = params.band;
    var found = false;
    for (var dy = gid.y; dy < b.h; dy += groups.y * WG) {
        for (var dx = gid.x; dx < b.w; dx += groups.x * WG) {
            let raw = src[(b.y0 + dy) * b.in_stride + b.x0 + dx - b.in_base];
            found = found || (raw >> 24u) != 255u;
        }
    }
    if (found) {
        atomicOr(&seen, 1u);
    }
    workgroupBarrier();
    if (lid == 0u && atomicLoad(&seen) != 0u) {
        atomicOr(&alpha[params.alpha_slot], 1u);
    }
}
