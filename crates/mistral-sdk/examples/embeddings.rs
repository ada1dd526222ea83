//! Embeddings and cosine similarity: `cargo run -p mistral-sdk --example embeddings`.

mod common;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = common::connect().await?;
    let texts = ["The cat sat on the mat", "A cat was sitting on a mat", "Stock markets fell sharply"];
    let response = target.client.embeddings().create("mistral-embed", texts).await?;
    for (i, a) in response.data.iter().enumerate() {
        for (j, b) in response.data.iter().enumerate().skip(i + 1) {
            let (x, y) = (&a.embedding, &b.embedding);
            let dot: f32 = x.iter().zip(y).map(|(p, q)| p * q).sum();
            let norm = |v: &[f32]| v.iter().map(|p| p * p).sum::<f32>().sqrt();
            println!("{:?} ~ {:?}: {:.3}", texts[i], texts[j], dot / (norm(x) * norm(y)));
        }
    }
    Ok(())
}
