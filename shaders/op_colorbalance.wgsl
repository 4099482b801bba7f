// op_colorbalance (cpu_color::channel): the op_brightness curve (GIMP legacy) on each channel
// with its own amount, k = (r, g, b)/100: k < 0: v' = v (1 + k), else v' = v + (1 - v) k.
#import band
#import pixel
#import color_op

fn lift(v: f32, b: f32) -> f32 {
    if b < 0.0 {
        return v * (1.0 + b);
    }
    return v + (1.0 - v) * b;
}

fn apply(c: vec3<f32>, k: vec4<f32>) -> vec3<f32> {
    return vec3<f32>(lift(c.x, k.x), lift(c.y, k.y), lift(c.z, k.z));
}
