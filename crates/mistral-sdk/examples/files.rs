//! Upload, list, retrieve and delete a file: `cargo run -p mistral-sdk --example files`.

mod common;

use mistral_sdk::FileUpload;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = common::connect().await?;
    let files = target.client.files();
    let data = "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hello!\"}]}\n";
    let upload = FileUpload::from_bytes("hello.jsonl", data)
        .purpose("fine-tune")
        .on_progress(|sent, total| println!("sent {sent} of {total:?} bytes"));
    let file = files.upload(upload).await?;
    println!("uploaded {} as {}", file.filename, file.id);
    println!("{} file(s) stored", files.list().await?.data.len());
    println!("retrieved: {} bytes", files.retrieve(file.id).await?.bytes);
    println!("deleted: {}", files.delete(file.id).await?.deleted);
    Ok(())
}
