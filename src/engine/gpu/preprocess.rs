//! WGSL preprocessing shared by `build.rs` (which validates every shader) and the shader table:
//! a line `#import NAME` is replaced by the text of `shaders/shared/NAME.wgsl`, once per shader.

/// Expands the `#import` lines of `source`; `snippet(name)` returns a shared snippet's text.
pub fn preprocess(
    source: &str,
    snippet: &dyn Fn(&str) -> Option<String>,
) -> Result<String, String> {
    let mut out = String::with_capacity(source.len() * 2);
    let mut seen: Vec<String> = Vec::new();
    for (n, line) in source.lines().enumerate() {
        match line.trim().strip_prefix("#import") {
            Some(name) => {
                let name = name.trim();
                if seen.iter().any(|s| s == name) {
                    continue;
                }
                let text = snippet(name)
                    .ok_or_else(|| format!("line {}: unknown import `{name}`", n + 1))?;
                out.push_str(&format!(
                    "// ---- shared/{name}.wgsl\n{text}// ---- end of shared/{name}.wgsl\n"
                ));
                seen.push(name.to_string());
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    Ok(out)
}
