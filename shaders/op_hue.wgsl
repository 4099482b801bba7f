// op_hue (cpu_color `Pass::Hue`), HSL: H' = H + k wrapped, k = adj/360 turns.
#import band
#import pixel
#import color_op
#import hsl

fn apply(c: vec3<f32>, kv: vec4<f32>) -> vec3<f32> {
    let k = kv.x;
    let hsl = rgb_to_hsl(c);
    return hsl_to_rgb(vec3<f32>(fract1(hsl.x + k), hsl.y, hsl.z));
}
