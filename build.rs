//! Generates the client from openapi.yaml into $OUT_DIR (see crates/mistral-codegen).

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=openapi.yaml");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).to_path_buf();
    let spec = Path::new("openapi.yaml");
    type Make = fn(&Path) -> mistral_codegen::Result<String>;
    let files: [(&str, Make); 2] =
        [("mistral_openapi.rs", mistral_codegen::generate), ("operations.rs", mistral_codegen::generate_operations)];
    for (name, make) in files {
        match make(spec) {
            Ok(code) => std::fs::write(out.join(name), code).expect("write the generated code"),
            Err(e) => {
                println!("cargo:warning=mistral-codegen: {e}");
                std::process::exit(1);
            }
        }
    }
}
