//! Build script: validates every `shaders/*.wgsl` with naga (parse + validate) after expanding
//! `#import` lines (`src/engine/gpu/preprocess.rs`), reports every error at once, and writes the
//! expanded sources to `$OUT_DIR/shaders/` for `include_str!` in `engine::gpu::shaders`.

#[path = "src/engine/gpu/preprocess.rs"]
mod preprocess;

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=shaders");
    println!("cargo:rerun-if-changed=src/engine/gpu/preprocess.rs");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("shaders");
    std::fs::create_dir_all(&out_dir).expect("create OUT_DIR/shaders");

    let mut errors = Vec::new();
    for path in wgsl_files(Path::new("shaders")) {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_string();
        match check(&path) {
            Ok(text) => std::fs::write(out_dir.join(&name), text).expect("write expanded shader"),
            Err(e) => errors.push(format!("shaders/{name}:\n{e}")),
        }
    }
    if !errors.is_empty() {
        panic!(
            "{} shader(s) failed validation:\n\n{}",
            errors.len(),
            errors.join("\n\n")
        );
    }
}

fn wgsl_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read shaders/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "wgsl"))
        .collect();
    files.sort();
    files
}

fn check(path: &Path) -> Result<String, String> {
    let shown = path.display().to_string();
    let source = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let snippet = |name: &str| {
        std::fs::read_to_string(Path::new("shaders/shared").join(format!("{name}.wgsl"))).ok()
    };
    let text = preprocess::preprocess(&source, &snippet)?;
    let module = naga::front::wgsl::parse_str(&text)
        .map_err(|e| e.emit_to_string_with_path(&text, &shown))?;
    let flags = naga::valid::ValidationFlags::all();
    naga::valid::Validator::new(flags, naga::valid::Capabilities::empty())
        .validate(&module)
        .map_err(|e| e.emit_to_string_with_path(&text, &shown))?;
    if !module.entry_points.iter().any(|ep| ep.name == "main") {
        return Err("no entry point `main`".to_string());
    }
    Ok(text)
}
