// op_contrast (cpu_color::channel), GIMP legacy: v' = (v - 1/2) slant + 1/2, slant = k =
// tan((adj/100 + 1) pi/4) computed on the host.
#import band
#import pixel
#import color_op

fn apply(c: vec3<f32>, kv: vec4<f32>) -> vec3<f32> {
    let k = kv.x;
    return (c - vec3<f32>(0.5)) * k + vec3<f32>(0.5);
}
