//! Generates the client from openapi.yaml into $OUT_DIR (see crates/mistral-codegen).

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=openapi.yaml");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("mistral_openapi.rs");
    match mistral_codegen::generate(Path::new("openapi.yaml")) {
        Ok(code) => std::fs::write(&out, code).expect("write the generated client"),
        Err(e) => {
            println!("cargo:warning=mistral-codegen: {e}");
            std::process::exit(1);
        }
    }
}
