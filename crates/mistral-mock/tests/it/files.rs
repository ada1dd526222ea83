//! Files in 2026: purposes, visibility, expiry and every metadata field; list filters and
//! pages; downloads and signed URLs.

use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::{Mock, within};

const UPLOAD: &str = "files_api_routes_upload_file";
const LIST: &str = "files_api_routes_list_files";
const RETRIEVE: &str = "files_api_routes_retrieve_file";
const DOWNLOAD: &str = "files_api_routes_download_file";
const URL: &str = "files_api_routes_get_signed_url";

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

fn batch_file(lines: usize) -> Vec<u8> {
    (0..lines)
        .map(|i| format!("{{\"custom_id\": \"{i}\", \"body\": {{\"messages\": [{{\"role\": \"user\", \"content\": \"Hi {i}\"}}]}}}}\n"))
        .collect::<String>()
        .into_bytes()
}

async fn upload(m: &Mock, name: &str, bytes: &[u8], fields: &[(&str, &str)]) -> crate::Reply {
    let mut form = Form::new().part("file", Part::bytes(bytes.to_vec()).file_name(name.to_string()));
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    m.call(UPLOAD, m.request(Method::POST, "/v1/files").multipart(form)).await
}

fn ids(r: &crate::Reply) -> Vec<String> {
    r.body["data"].as_array().expect("data").iter().filter_map(|f| f["id"].as_str().map(str::to_string)).collect()
}

#[tokio::test]
async fn uploads_carry_every_2026_field() {
    within(20, async {
        let m = Mock::start().await;
        let training = crate::training_file(2);
        let r = upload(&m, "train.jsonl", &training, &[("purpose", "fine-tune")]).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let id = r.body["id"].as_str().expect("id");
        let created = r.body["created_at"].as_i64().expect("created_at");
        let signature = r.body["signature"].as_str().expect("signature");
        assert!(signature.len() == 16 && signature.chars().all(|c| c.is_ascii_hexdigit()), "{signature}");
        assert_eq!(
            r.body,
            json!({"id": id, "object": "file", "bytes": training.len(), "created_at": created, "filename": "train.jsonl",
                "purpose": "fine-tune", "sample_type": "instruct", "source": "upload", "num_lines": 2,
                "mimetype": "application/jsonl", "signature": signature, "expires_at": null, "visibility": "workspace"})
        );
        // The same bytes, the same signature.
        let again = upload(&m, "copy.jsonl", &training, &[]).await;
        assert_eq!(again.body["signature"], signature);
        assert_eq!(again.body["purpose"], "fine-tune", "fine-tune by default");

        let r = upload(&m, "requests.jsonl", &batch_file(3), &[("purpose", "batch"), ("visibility", "user"), ("expiry", "48")]).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!((&r.body["purpose"], &r.body["sample_type"], &r.body["num_lines"]), (&json!("batch"), &json!("batch_request"), &json!(3)));
        assert_eq!(r.body["visibility"], "user");
        assert_eq!(r.body["expires_at"].as_i64(), r.body["created_at"].as_i64().map(|c| c + 48 * 3600));

        let r = upload(&m, "scan.pdf", PDF, &[("purpose", "ocr")]).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!((&r.body["sample_type"], &r.body["mimetype"], &r.body["num_lines"]), (&json!("ocr_input"), &json!("application/pdf"), &Value::Null));

        // Retrieve has the same fields, and `deleted`.
        let got = m.get(RETRIEVE, &format!("/v1/files/{}", r.body["id"].as_str().expect("id"))).await;
        let mut want = r.body.clone();
        want["deleted"] = json!(false);
        assert_eq!(got.body, want);

        // Refusals: a purpose or visibility of no kind, a bad expiry, a batch file of no requests.
        let bad = upload(&m, "t.jsonl", &training, &[("purpose", "finetune"), ("visibility", "team"), ("expiry", "0")]).await;
        assert_eq!(bad.status, 422);
        let details: Vec<(&Value, &Value)> = bad.body["message"]["detail"].as_array().expect("details").iter().map(|d| (&d["loc"], &d["msg"])).collect();
        assert_eq!(
            details,
            [
                (&json!(["body", "purpose"]), &json!("Input should be 'fine-tune', 'batch' or 'ocr'")),
                (&json!(["body", "visibility"]), &json!("Input should be 'workspace' or 'user'")),
                (&json!(["body", "expiry"]), &json!("Input should be greater than or equal to 1")),
            ]
        );
        let bad = upload(&m, "b.jsonl", &training, &[("purpose", "batch")]).await;
        assert_eq!(bad.status, 422);
        assert_eq!(
            bad.body["message"]["detail"][0]["msg"],
            "Invalid batch file b.jsonl: line 1: expected an object with a \"body\" object (the request)"
        );
    })
    .await;
}

#[tokio::test]
async fn lists_filter_and_page_with_a_total() {
    within(20, async {
        let m = Mock::start().await;
        let mut uploaded = Vec::new();
        for i in 0..3 {
            let r = upload(&m, &format!("train-{i}.jsonl"), &crate::training_file(1), &[]).await;
            uploaded.push(r.body["id"].as_str().expect("id").to_string());
        }
        let batch = upload(&m, "night-batch.jsonl", &batch_file(1), &[("purpose", "batch")]).await;
        let batch = batch.body["id"].as_str().expect("id").to_string();
        let pdf = upload(&m, "scan.pdf", PDF, &[("purpose", "ocr")]).await;
        let pdf = pdf.body["id"].as_str().expect("id").to_string();
        let newest_first = [pdf.clone(), batch.clone(), uploaded[2].clone(), uploaded[1].clone(), uploaded[0].clone()];

        let all = m.get(LIST, "/v1/files").await;
        assert_eq!(
            (ids(&all), &all.body["total"], &all.body["object"]),
            (newest_first.to_vec(), &json!(5), &json!("list"))
        );
        let page = m.get(LIST, "/v1/files?page=1&page_size=2").await;
        assert_eq!((ids(&page), &page.body["total"]), (newest_first[2..4].to_vec(), &json!(5)));
        let past = m.get(LIST, "/v1/files?page=3&page_size=2").await;
        assert_eq!((ids(&past), &past.body["total"]), (Vec::<String>::new(), &json!(5)));
        let no_total = m.get(LIST, "/v1/files?include_total=false").await;
        assert_eq!(no_total.body["total"], Value::Null);

        let cases: [(&str, Vec<String>); 8] = [
            ("purpose=batch", vec![batch.clone()]),
            ("purpose=fine-tune&page_size=2", vec![uploaded[2].clone(), uploaded[1].clone()]),
            ("sample_type=batch_request&sample_type=ocr_input", vec![pdf.clone(), batch.clone()]),
            ("sample_type=instruct,batch_request", newest_first[1..].to_vec()),
            ("source=upload", newest_first.to_vec()),
            ("source=repository", vec![]),
            ("search=TRAIN-1", vec![uploaded[1].clone()]),
            ("mimetypes=application/pdf&mimetypes=image/*", vec![pdf.clone()]),
        ];
        for (query, want) in cases {
            let r = m.get(LIST, &format!("/v1/files?{query}")).await;
            assert_eq!(r.status, 200, "{query}");
            assert_eq!(ids(&r), want, "{query}");
        }
        let totals = m.get(LIST, "/v1/files?purpose=fine-tune&page_size=2").await;
        assert_eq!(totals.body["total"], 3, "the total counts every match, not the page");

        let bad = m.get(LIST, "/v1/files?page=-1&page_size=x&include_total=maybe").await;
        assert_eq!(bad.status, 422);
        let locs: Vec<&Value> =
            bad.body["message"]["detail"].as_array().expect("details").iter().map(|d| &d["loc"]).collect();
        assert_eq!(
            locs,
            [&json!(["query", "page"]), &json!(["query", "page_size"]), &json!(["query", "include_total"])]
        );
    })
    .await;
}

#[tokio::test]
async fn content_downloads_and_signed_urls_work_without_a_key() {
    within(20, async {
        let m = Mock::start().await;
        let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let r = upload(&m, "big.pdf", &big, &[("purpose", "ocr")]).await;
        let id = r.body["id"].as_str().expect("id").to_string();

        let got = m.call(DOWNLOAD, m.request(Method::GET, &format!("/v1/files/{id}/content"))).await;
        assert_eq!(got.status, 200);
        assert_eq!(got.content_type(), "application/octet-stream");
        assert_eq!(got.headers["content-disposition"], "attachment; filename=\"big.pdf\"");
        let bytes = m
            .request(Method::GET, &format!("/v1/files/{id}/content"))
            .send()
            .await
            .expect("sent")
            .bytes()
            .await
            .expect("body");
        assert_eq!(bytes.as_ref(), big.as_slice());
        // Without a key: 401, like every route.
        let anonymous =
            reqwest::Client::new().get(m.url(&format!("/v1/files/{id}/content"))).send().await.expect("sent");
        assert_eq!(anonymous.status(), 401);

        // A signed URL: this server's content route, valid `expiry` hours, no key needed.
        let signed = m.get(URL, &format!("/v1/files/{id}/url?expiry=2")).await;
        assert_eq!(signed.status, 200);
        let url = signed.body["url"].as_str().expect("url").to_string();
        let prefix = m.url(&format!("/v1/files/{id}/content?expires="));
        assert!(url.starts_with(&prefix), "{url}");
        let expires: i64 = url[prefix.len()..].split('&').next().and_then(|e| e.parse().ok()).expect("expires");
        let now = chrono::Utc::now().timestamp();
        assert!((now + 2 * 3600 - expires).abs() <= 5, "{expires} vs {now}");
        let plain = reqwest::get(&url).await.expect("sent");
        assert_eq!(plain.status(), 200);
        assert_eq!(plain.bytes().await.expect("body").as_ref(), big.as_slice());
        // Tampered or expired: 403.
        for bad in [url.replace("expires=", "expires=9"), url.replace("signature=", "signature=0")] {
            let r = crate::read(reqwest::Client::new().get(&bad)).await;
            assert_eq!(r.status, 403, "{bad}");
            crate::assert_conforms(DOWNLOAD, r.status, &r.body);
            assert_eq!(r.body["message"], "Invalid or expired signature");
        }
        let default = m.get(URL, &format!("/v1/files/{id}/url")).await;
        let expires = default.body["url"]
            .as_str()
            .and_then(|u| u.split("expires=").nth(1))
            .and_then(|e| e.split('&').next())
            .and_then(|e| e.parse::<i64>().ok())
            .expect("expires");
        assert!((now + 24 * 3600 - expires).abs() <= 5, "24 hours by default");
        for expiry in ["0", "169"] {
            let r = m.get(URL, &format!("/v1/files/{id}/url?expiry={expiry}")).await;
            assert_eq!(r.status, 422, "{expiry}");
            assert_eq!(r.body["message"]["detail"][0]["loc"], json!(["query", "expiry"]));
        }

        // Unknown or deleted files: 404 on both routes.
        m.delete("files_api_routes_delete_file", &format!("/v1/files/{id}")).await;
        let gone = m.call(DOWNLOAD, m.request(Method::GET, &format!("/v1/files/{id}/content"))).await;
        assert_eq!((gone.status.as_u16(), &gone.body["message"]), (404, &json!(format!("No file with id {id}"))));
        assert_eq!(m.get(URL, &format!("/v1/files/{id}/url")).await.status, 404);
        assert_eq!(reqwest::get(&url).await.expect("sent").status(), 404);
    })
    .await;
}

#[tokio::test]
async fn a_data_dir_serves_downloads_across_restarts() {
    within(20, async {
        let dir = tempfile::tempdir().expect("temp dir");
        let bytes = crate::training_file(3);
        let id = {
            let m = Mock::with(mistral_mock::MockServer::builder().data_dir(dir.path())).await;
            let r = upload(&m, "keep.jsonl", &bytes, &[("expiry", "24")]).await;
            r.body["id"].as_str().expect("id").to_string()
        };
        let m = Mock::with(mistral_mock::MockServer::builder().data_dir(dir.path())).await;
        let got = m.request(Method::GET, &format!("/v1/files/{id}/content")).send().await.expect("sent");
        assert_eq!(got.status(), 200);
        assert_eq!(got.bytes().await.expect("body").as_ref(), bytes.as_slice());
        assert!(m.get(RETRIEVE, &format!("/v1/files/{id}")).await.body["expires_at"].is_i64());
    })
    .await;
}
