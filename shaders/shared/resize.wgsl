// One pass of the separable convolution shared by resize_v and resize_h: fast_image_resize's
// fixed-point u8 convolution, bit for bit. The weight tables are computed on the CPU
// (`engine::gpu::coeffs`, the same f64 code fast_image_resize runs, then quantised to i16 with
// its precision) and uploaded; the shader only sums.
//
// Table record for output index i (along the pass's axis), at coeff_base + i * (window + 2):
// [first source index, number of taps, weight 0, ..., weight window-1] (weights are i32 bits).

struct ResizeParams {
    band: Band,
    // resize_v: output column x reads source column x + shift;
    // resize_h: output row y reads source row y + shift.
    shift: u32,
    coeff_base: u32,
    window: u32,
    frac_bits: u32,
    // bit 0: premultiply the source, bit 1: divide the result by alpha; both apply only when
    // `alpha[alpha_slot]` is non-zero (the input is not opaque, see is_opaque.wgsl).
    alpha_mode: u32,
    alpha_slot: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: ResizeParams;
@group(0) @binding(1) var<storage, read> coeffs: array<u32>;
@group(0) @binding(2) var<storage, read> alpha: array<u32>;
@group(0) @binding(3) var<storage, read> src: array<u32>;
@group(0) @binding(4) var<storage, read_write> dst: array<u32>;

// Convolves taps first, first + step, ... (global element indices of `src`) with the weights
// of record `i`, and stores the result at output pixel (x, y).
fn convolve(i: u32, first: u32, step: u32, x: u32, y: u32) {
    let use_alpha = alpha[params.alpha_slot] != 0u;
    let premul = use_alpha && (params.alpha_mode & 1u) != 0u;
    let divide = use_alpha && (params.alpha_mode & 2u) != 0u;
    let rec = params.coeff_base + i * (params.window + 2u);
    let start = coeffs[rec];
    let taps = coeffs[rec + 1u];
    var acc = vec4<i32>(1i << (params.frac_bits - 1u));
    var idx = first + start * step - params.band.in_base;
    for (var k = 0u; k < taps; k++) {
        var p = unpack(src[idx]);
        if (premul) {
            p = premultiply_u8(p);
        }
        acc += bitcast<i32>(coeffs[rec + 2u + k]) * vec4<i32>(p);
        idx += step;
    }
    let shifted = acc >> vec4<u32>(params.frac_bits);
    var out = vec4<u32>(clamp(shifted, vec4<i32>(0), vec4<i32>(255)));
    if (divide) {
        out = unpremultiply_u8(out);
    }
    dst[y * params.band.out_stride + x - params.band.out_base] = pack(out);
}
