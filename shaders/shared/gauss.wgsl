// The Gaussian window of op_blur and op_usm: the weights `w[|k|]` from
// `coeffs[coeff_base ..]` (f32), summed in offset order. Needs `window`.

@group(0) @binding(1) var<storage, read> coeffs: array<f32>;

fn start() -> vec4<f32> {
    return vec4<f32>(0.0);
}

fn fold(acc: vec4<f32>, v: vec4<f32>, k: i32) -> vec4<f32> {
    return acc + coeffs[params.coeff_base + u32(abs(k))] * v;
}
