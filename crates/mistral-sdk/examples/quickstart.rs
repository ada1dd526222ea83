//! A walk through the whole API: `cargo run --example quickstart`.
//!
//! With no `MISTRAL_API_KEY` it starts the embedded mock server in this process; with one
//! (and `MISTRAL_BASE_URL`, if set) it uses that server. Against a real server the
//! fine-tuning job is only estimated (a dry run) unless `MISTRAL_QUICKSTART_FINE_TUNE=1`,
//! since a real job costs money, and the batch run is skipped unless
//! `MISTRAL_QUICKSTART_BATCH=1`, since a real batch can take hours.
#![allow(deprecated)] // the retired fine-tuning job routes, still served by seed-era servers and the mock

mod common;

use std::time::Duration;

use futures::StreamExt;
use mistral_sdk::types::KnownToolChoiceEnum;
use mistral_sdk::{
    BatchSource, ChatRequest, ChatResponseExt, ConversationStart, Document, FileUpload, FimRequest, FinishReasonExt,
    Functions, JobRequest, JobStatusExt, ModerationExt, ModerationsRequest, NewAgent, OcrRequest, OcrResponseExt, Part,
    Tool, ToolCallExt, WatchOptions,
};

/// A 1x1 red PNG.
const RED_PIXEL: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53, 0xde, 0x00, 0x00, 0x00, 0x0c, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00, 0xc9, 0xfe, 0x92, 0xef,
    0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

#[derive(schemars::JsonSchema, serde::Deserialize)]
struct WeatherArgs {
    /// The city, e.g. "Paris".
    city: String,
}

#[derive(schemars::JsonSchema, serde::Deserialize, Debug)]
struct Cheese {
    name: String,
    region: String,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = common::connect().await?;
    let client = &target.client;

    println!("\n## chat");
    let question =
        ChatRequest::new("mistral-small-latest").system("You are terse.").user("What is the best French cheese?");
    let answer = client.chat().create(question.clone()).await?;
    println!("> What is the best French cheese?\n{}", answer.text());
    println!(
        "({} prompt + {} completion tokens)",
        answer.usage.prompt_tokens,
        answer.usage.completion_tokens.unwrap_or_default()
    );

    println!("\n## streamed chat");
    let mut stream = std::pin::pin!(client.chat().stream(question.max_tokens(24)).await?.text());
    while let Some(delta) = stream.next().await {
        print!("{}", delta?);
    }
    println!();

    println!("\n## function calling");
    let request = ChatRequest::new("mistral-large-latest")
        .user("What is the weather in Paris?")
        .tools([Tool::function::<WeatherArgs>("get_weather", "Current weather for a city")])
        .tool_choice(KnownToolChoiceEnum::Any);
    let response = client.chat().create(request.clone()).await?;
    let call = response.tool_calls().first().ok_or("the model called no tool")?;
    let args: WeatherArgs = call.arguments()?;
    println!("model calls {}({{city: {:?}}})", call.function.name, args.city);
    let result = format!("{{\"city\": {:?}, \"temperature_c\": 18, \"sky\": \"cloudy\"}}", args.city);
    let follow_up = request.assistant_message(&response.choices[0].message).tool_result(
        call.id.clone().unwrap_or_default(),
        "get_weather",
        result,
    );
    println!("final answer: {}", client.chat().create(follow_up).await?.text());

    println!("\n## structured output");
    // The answer is JSON that fits `Cheese`'s schema (derived with schemars), parsed back.
    let response = client
        .chat()
        .create(
            ChatRequest::new("mistral-small-latest")
                .user("The best French cheese and its region?")
                .json_schema::<Cheese>(),
        )
        .await?;
    let cheese: Cheese = response.parsed()?;
    println!("name: {}, region: {}", cheese.name, cheese.region);

    println!("\n## an image question");
    let question = [Part::text("What colour is this pixel?"), Part::image_bytes(RED_PIXEL, "image/png")];
    let answer = client.chat().create(ChatRequest::new("mistral-small-latest").user_parts(question)).await?;
    println!("> What colour is this pixel? [a 1x1 PNG]\n{}", answer.text());

    println!("\n## a batch run");
    // A real batch can take hours: against a real server only with MISTRAL_QUICKSTART_BATCH=1.
    if target.is_mock() || std::env::var("MISTRAL_QUICKSTART_BATCH").is_ok_and(|v| v == "1") {
        // Written, uploaded, run by the API and read back, keyed by custom id.
        let questions = ["Best cheese?", "Best wine?", "Best bread?"];
        let requests = questions
            .iter()
            .enumerate()
            .map(|(i, q)| (format!("q{i}"), ChatRequest::new("mistral-small-latest").user(*q)));
        let mut results =
            client.batch().runner::<ChatRequest>().run(BatchSource::iter(requests.collect::<Vec<_>>())).await?;
        while let Some(result) = results.next().await {
            let result = result?;
            match result.result {
                Ok(answer) => println!("{}: {}", result.custom_id, answer.text().chars().take(60).collect::<String>()),
                Err(e) => println!("{}: failed: {e}", result.custom_id),
            }
        }
    } else {
        println!("(skipped against a real server: set MISTRAL_QUICKSTART_BATCH=1)");
    }

    println!("\n## OCR");
    let page = b"Quarterly report\nRevenue grew by 12% in Q3.\n";
    let ocr = client.ocr().process(OcrRequest::new("mistral-ocr-latest", Document::bytes(page, "text/plain"))).await?;
    println!("{} page(s):\n{}", ocr.pages.len(), ocr.markdown().trim());

    println!("\n## moderation");
    let texts = ["I will hurt you", "What a lovely day"];
    let moderation =
        client.classifiers().moderate(ModerationsRequest::texts("mistral-moderation-latest", texts)).await?;
    for (text, result) in texts.iter().zip(&moderation.results) {
        let flagged: Vec<String> = result.flagged_categories().iter().map(|c| c.as_str().to_string()).collect();
        println!("{text:?}: {}", if flagged.is_empty() { "ok".to_string() } else { flagged.join(", ") });
    }

    println!("\n## an agent conversation");
    // An agent whose function is a Rust closure; the server keeps the conversation.
    let functions = Functions::new().add("get_weather", "Current weather for a city", |w: WeatherArgs| async move {
        Ok::<_, String>(format!("18 degrees and cloudy in {}", w.city))
    });
    let agent = client
        .agents()
        .create(NewAgent::new("mistral-medium-latest", "quickstart").instructions("Be brief.").tools(functions.tools()))
        .await?;
    let run = client
        .conversations()
        .run(ConversationStart::with_agent(&agent.id, "What is the weather in Lyon?"), &functions, 3)
        .await?;
    println!("> What is the weather in Lyon?\n{} ({} round(s) of function calls)", run.text(), run.rounds);
    let next =
        client.conversations().run_append(&run.conversation_id, "And the weather in Paris?", &functions, 3).await?;
    println!("> And the weather in Paris?\n{}", next.text());
    client.conversations().delete(&run.conversation_id).await?;
    client.agents().delete(&agent.id).await?;

    println!("\n## FIM");
    let fim = client
        .fim()
        .create(
            FimRequest::new("codestral-latest", "def fibonacci(n: int):").suffix("print(fibonacci(10))").max_tokens(64),
        )
        .await?;
    println!("def fibonacci(n: int):{}print(fibonacci(10))", fim.text());

    println!("\n## embeddings");
    let texts = ["I love French cheese", "French cheese is what I love", "The rocket reached orbit"];
    let embeddings = client.embeddings().create("mistral-embed", texts).await?;
    let v: Vec<&Vec<f32>> = embeddings.data.iter().map(|d| &d.embedding).collect();
    println!("{} vectors of {} dimensions", v.len(), v[0].len());
    println!("similarity(0, 1) = {:.3}  (same words)", cosine(v[0], v[1]));
    println!("similarity(0, 2) = {:.3}  (unrelated)", cosine(v[0], v[2]));

    println!("\n## files");
    let path = std::env::temp_dir().join(format!("quickstart-{}.jsonl", std::process::id()));
    let lines: Vec<String> = (0..20)
        .map(|i| {
            serde_json::json!({"messages": [
                {"role": "user", "content": format!("What is {i} + {i}?")},
                {"role": "assistant", "content": format!("{}", i + i)}
            ]})
            .to_string()
        })
        .collect();
    std::fs::write(&path, lines.join("\n") + "\n")?;
    let file = client.files().upload(FileUpload::from_path(&path).purpose("fine-tune")).await?;
    std::fs::remove_file(&path)?;
    println!("uploaded {} ({} bytes) as {}", file.filename, file.bytes, file.id);

    println!("\n## fine-tuning");
    let job = JobRequest::new("open-mistral-7b", [file.id]).training_steps(10).learning_rate(1e-4).suffix("quickstart");
    let estimate = client.fine_tuning().jobs().dry_run(job.clone()).await?;
    println!(
        "dry run: {:?} data tokens, {:?} s expected",
        estimate.data_tokens.unwrap_or_default(),
        estimate.expected_duration_seconds.unwrap_or_default()
    );
    let fine_tune = target.is_mock() || std::env::var("MISTRAL_QUICKSTART_FINE_TUNE").is_ok_and(|v| v == "1");
    if fine_tune {
        let created = client.fine_tuning().jobs().create(job).await?;
        println!("job {} {}", created.id, created.status.as_str());
        let options =
            WatchOptions { initial_interval: Duration::from_millis(200), max_interval: Duration::from_secs(10) };
        let mut watch = std::pin::pin!(client.fine_tuning().jobs().watch(created.id, options));
        let mut last = None;
        while let Some(snapshot) = watch.next().await {
            let snapshot = snapshot?;
            let loss = snapshot.checkpoints.as_ref().and_then(|c| c.last()).and_then(|c| c.metrics.train_loss);
            match loss {
                Some(loss) => println!("  {} (train loss {loss:.3})", snapshot.status.as_str()),
                None => println!("  {}", snapshot.status.as_str()),
            }
            last = Some(snapshot);
        }
        let model = last.and_then(|j| j.fine_tuned_model).ok_or("the job produced no model")?;
        println!("fine-tuned model: {model}");

        println!("\n## chat with the fine-tuned model");
        let answer = client.chat().create(ChatRequest::new(&model).user("What is 3 + 3?")).await?;
        println!(
            "> What is 3 + 3?\n{} ({})",
            answer.text(),
            answer.finish_reason().map(|r| r.as_str()).unwrap_or_default()
        );

        println!("\n## cleanup");
        println!("model deleted: {}", client.models().delete(&model).await?.deleted.unwrap_or(true));
    } else {
        println!("(not starting a real job: set MISTRAL_QUICKSTART_FINE_TUNE=1 to)");
        println!("\n## cleanup");
    }
    println!("file deleted: {}", client.files().delete(file.id).await?.deleted);
    println!("\ndone.");
    Ok(())
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (norm(a) * norm(b))
}
