// op_invert (cpu_color::channel): v' = 1 - v per colour channel; alpha kept.
#import band
#import pixel
#import color_op

fn apply(c: vec3<f32>, k: vec4<f32>) -> vec3<f32> {
    return vec3<f32>(1.0) - c;
}
