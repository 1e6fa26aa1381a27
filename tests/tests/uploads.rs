//! Files through the staff API, end to end against moto's S3 and DynamoDB Local (through the
//! permission proxy): `POST /uploads` gives a presigned `PUT` the client sends the bytes to
//! itself; a ticket and a comment take uploads by id, and staff read them back by their links.
//! An upload not put, of another size, taken twice, or over 50 MB is refused by name.

use e2e::TestEnv;
use serde_json::{json, Value};

async fn world() -> TestEnv {
    let env = TestEnv::new().await;
    env.registered_contact(5001).await; // k1, c1, e1
    env
}

/// Declares a file; its upload id and URL.
async fn declare(env: &TestEnv, name: &str, content_type: &str, size: usize) -> (String, String) {
    let (status, upload) =
        env.api("POST", "/uploads", Some(json!({"name": name, "content_type": content_type, "size": size}))).await;
    assert_eq!(status, 201, "{upload}");
    (upload["upload_id"].as_str().unwrap().to_owned(), upload["url"].as_str().unwrap().to_owned())
}

/// The client's own `PUT` of the bytes to the presigned URL.
async fn put(url: &str, content_type: &str, bytes: &[u8]) -> u16 {
    let client = reqwest::Client::new();
    let answer = client.put(url).header("content-type", content_type).body(bytes.to_vec()).send().await.unwrap();
    answer.status().as_u16()
}

async fn download(attachment: &Value) -> Vec<u8> {
    let url = attachment["url"].as_str().expect("a link");
    reqwest::get(url).await.unwrap().bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn an_uploaded_file_is_attached_to_a_ticket_and_a_comment_and_read_back() {
    let env = world().await;
    let act = b"%PDF-1.7 act of completed work".to_vec();
    let (act_id, act_url) = declare(&env, "Акт №17.pdf", "application/pdf", act.len()).await;
    let photo = e2e::jpeg_bytes();
    let (photo_id, photo_url) = declare(&env, "после ремонта.jpg", "image/jpeg", photo.len()).await;
    assert!(act_url.contains("X-Amz-Expires=900"), "valid 15 minutes: {act_url}");

    // Not put yet: refused by name, nothing made.
    let ticket = json!({"contact_id": "c1", "subject": "Акт", "source": "email", "attachments": [act_id]});
    let (status, refused) = env.api("POST", "/tickets", Some(ticket.clone())).await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["error"]["message"].as_str().unwrap().contains("not uploaded yet"), "{refused}");
    assert!(env.tickets_of("c1").await.is_empty(), "nothing written");

    assert_eq!(put(&act_url, "application/pdf", &act).await, 200);
    assert_eq!(put(&photo_url, "image/jpeg", &photo).await, 200);
    let (status, made) = env.api("POST", "/tickets", Some(ticket.clone())).await;
    assert_eq!(status, 201, "{made}");
    let id = made["id"].as_u64().unwrap();
    let body = json!({"author_id": "e1", "text": "Фото после ремонта", "attachments": [photo_id]});
    let (status, comment) = env.api("POST", &format!("/tickets/{id}/comments"), Some(body.clone())).await;
    assert_eq!(status, 201, "{comment}");

    let (_, read) = env.api("GET", &format!("/tickets/{id}"), None).await;
    assert_eq!(read["attachments"][0]["name"], "Акт №17.pdf");
    assert_eq!(download(&read["attachments"][0]).await, act, "the ticket's file, byte for byte");
    let on_comment = &read["comments"][0]["attachments"][0];
    assert_eq!(
        (on_comment["name"].as_str(), on_comment["size"].as_u64()),
        (Some("после ремонта.jpg"), Some(photo.len() as u64))
    );
    assert_eq!(download(on_comment).await, photo);

    // Taken once: a second comment naming it is refused and not written.
    let (status, refused) = env.api("POST", &format!("/tickets/{id}/comments"), Some(body)).await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["error"]["message"].as_str().unwrap().contains("used already"), "{refused}");
    assert_eq!(env.ticket(id).await.comments.len(), 1);
}

#[tokio::test]
async fn an_upload_of_another_size_or_over_50_mb_is_refused_by_name() {
    let env = world().await;
    let (status, refused) = env
        .api(
            "POST",
            "/uploads",
            Some(json!({"name": "backup.zip", "content_type": "application/zip", "size": 50 * 1024 * 1024 + 1})),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["error"]["message"].as_str().unwrap().starts_with("size"), "{refused}");

    let (id, url) = declare(&env, "a.txt", "text/plain", 10).await;
    let status = put(&url, "text/plain", b"only five").await;
    let body = json!({"contact_id": "c1", "subject": "Лог", "source": "email", "attachments": [id]});
    let (answer, refused) = env.api("POST", "/tickets", Some(body)).await;
    if status == 200 {
        // S3 took a body the URL was not signed for: the size check refuses it.
        assert_eq!(answer, 422, "{refused}");
        assert!(refused["error"]["message"].as_str().unwrap().contains("bytes, not the 10 declared"), "{refused}");
    } else {
        assert_eq!(answer, 422, "the upload was refused, so it is not there: {refused}");
    }
    assert!(env.tickets_of("c1").await.is_empty());
}

/// A file staff attach through the API reaches the client in Telegram after the comment's
/// notice: uploaded from the bucket (Telegram never had it), byte for byte; two photos as one
/// album; an internal note's file never.
#[tokio::test]
async fn uploaded_files_reach_the_clients_chat_and_a_notes_never_do() {
    let env = world().await;
    let chat = 5001_i64;
    let (status, made) =
        env.api("POST", "/tickets", Some(json!({"contact_id": "c1", "subject": "Акт", "source": "email"}))).await;
    assert_eq!(status, 201, "{made}");
    let comments = format!("/tickets/{}/comments", made["id"]);
    env.run_notifier().await;
    env.telegram.clear();

    let act = b"%PDF-1.7 act of completed work".to_vec();
    let (act_id, url) = declare(&env, "Акт №17.pdf", "application/pdf", act.len()).await;
    assert_eq!(put(&url, "application/pdf", &act).await, 200);
    let body = json!({"author_id": "e1", "text": "Акт выполненных работ", "attachments": [act_id]});
    assert_eq!(env.api("POST", &comments, Some(body)).await.0, 201);
    env.run_notifier().await;
    assert!(env.telegram.texts_to(chat).iter().any(|t| t.contains("Акт выполненных работ")), "the comment's notice");
    assert_eq!(env.telegram.files_to(chat), [("sendDocument".to_owned(), "upload:Акт №17.pdf".to_owned())]);
    assert_eq!(env.telegram.uploads_to(chat), [("Акт №17.pdf".to_owned(), act)], "the bytes, as uploaded");

    env.telegram.clear();
    let mut photos = vec![];
    for name in ["до.jpg", "после.jpg"] {
        let (id, url) = declare(&env, name, "image/jpeg", e2e::jpeg_bytes().len()).await;
        assert_eq!(put(&url, "image/jpeg", &e2e::jpeg_bytes()).await, 200);
        photos.push(id);
    }
    let body = json!({"author_id": "e1", "text": "До и после", "attachments": photos});
    assert_eq!(env.api("POST", &comments, Some(body)).await.0, 201);
    env.run_notifier().await;
    assert_eq!(
        env.telegram.files_to(chat),
        [
            ("sendMediaGroup".to_owned(), "upload:до.jpg".to_owned()),
            ("sendMediaGroup".to_owned(), "upload:после.jpg".to_owned())
        ],
        "one album"
    );

    env.telegram.clear();
    let (note_id, url) = declare(&env, "внутреннее.txt", "text/plain", 4).await;
    assert_eq!(put(&url, "text/plain", b"note").await, 200);
    let body = json!({"author_id": "e1", "text": "Только для своих", "internal": true, "attachments": [note_id]});
    assert_eq!(env.api("POST", &comments, Some(body)).await.0, 201);
    env.run_notifier().await;
    assert!(
        env.telegram.files_to(chat).is_empty() && env.telegram.texts_to(chat).is_empty(),
        "a note's file stays inside"
    );
}

/// Files reach whoever hears of a new ticket: a VIP client's photo (the ticket made of it in
/// the bot) reaches their manager by its `file_id`; a ticket the desk opens with an uploaded
/// file brings the client the file.
#[tokio::test]
async fn a_new_tickets_files_reach_whoever_hears_of_it() {
    let env = world().await;
    let (anna, manager) = (5001_u64, 7001_u64);
    let vip = json!({"name": "ООО Ромашка", "manager_id": "e1", "vip": true});
    assert_eq!(env.api("PUT", "/clients/k1", Some(vip)).await.0, 200);
    env.deliver(&e2e::updates::contact(30, manager, "79991112233", Some(manager))).await;
    env.telegram.add_file("printer", "photos/printer.jpg", e2e::jpeg_bytes());
    env.deliver(&e2e::updates::photo(31, anna, "printer", 700, Some("Принтер жуёт бумагу"), None)).await;
    env.run_notifier().await;
    assert!(env.telegram.texts_to(manager as i64).iter().any(|t| t.contains("Принтер жуёт бумагу")));
    assert_eq!(env.telegram.files_to(manager as i64), [("sendPhoto".to_owned(), "printer".to_owned())]);

    env.telegram.clear();
    let invoice = b"%PDF-1.7 invoice".to_vec();
    let (id, url) = declare(&env, "Счёт.pdf", "application/pdf", invoice.len()).await;
    assert_eq!(put(&url, "application/pdf", &invoice).await, 200);
    let body = json!({"contact_id": "c1", "subject": "Счёт за март", "source": "email", "attachments": [id]});
    assert_eq!(env.api("POST", "/tickets", Some(body)).await.0, 201);
    env.run_notifier().await;
    assert!(env.telegram.texts_to(anna as i64).iter().any(|t| t.contains("Счёт за март")));
    assert_eq!(env.telegram.uploads_to(anna as i64), [("Счёт.pdf".to_owned(), invoice)]);
}
