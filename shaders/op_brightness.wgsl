// op_brightness (cpu_color::channel), GIMP legacy: k = adj/100; k < 0: v' = v (1 + k),
// else v' = v + (1 - v) k.
#import band
#import pixel
#import color_op

fn apply(c: vec3<f32>, kv: vec4<f32>) -> vec3<f32> {
    let k = kv.x;
    if k < 0.0 {
        return c * (1.0 + k);
    }
    return c + (vec3<f32>(1.0) - c) * k;
}
