//! With the `regenerate` feature, generates the client from openapi.yaml into $OUT_DIR (see
//! crates/mistral-codegen); without it (what users build), `src/` compiles the checked-in
//! `generated/` code and nothing runs here. `cargo xtask check` keeps the two equal.

fn main() {
    #[cfg(feature = "regenerate")]
    regenerate();
}

#[cfg(feature = "regenerate")]
fn regenerate() {
    use std::path::Path;

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
