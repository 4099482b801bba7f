// resize_h: the horizontal pass of `resample`.
// Output pixel (x, y) = sum over k of weight[x][k] * source(start[x] + k, y + shift).
#import band
#import pixel
#import resize

@compute @workgroup_size(WG, WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let b = params.band;
    for (var dy = gid.y; dy < b.h; dy += groups.y * WG) {
        for (var dx = gid.x; dx < b.w; dx += groups.x * WG) {
            let x = b.x0 + dx;
            let y = b.y0 + dy;
            convolve(x, (y + params.shift) * b.in_stride, 1u, x, y);
        }
    }
}
