// op_saturation (cpu::op_saturation), HSL: S' = clamp(S k, 0, 1), k = 1 + adj/100.
#import band
#import pixel
#import color_op
#import hsl

fn apply(c: vec3<f32>, kv: vec4<f32>) -> vec3<f32> {
    let k = kv.x;
    let hsl = rgb_to_hsl(c);
    return hsl_to_rgb(vec3<f32>(hsl.x, clamp(hsl.y * k, 0.0, 1.0), hsl.z));
}
