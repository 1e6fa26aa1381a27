//! Tickets from Telegram, end to end: the webhook handler, DynamoDB Local, the local S3
//! server and the fake Telegram.

use e2e::{updates, TestEnv};
use shared::texts;
use std::io::Cursor;

const ANNA: u64 = 5001;
const CHAT: i64 = ANNA as i64;

fn png_bytes() -> Vec<u8> {
    let mut out = Cursor::new(vec![]);
    image::RgbImage::from_pixel(20, 10, image::Rgb([10, 200, 10])).write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn created_text(id: u64) -> String {
    texts::fill(texts::TICKET_CREATED.ru, &[("id", &id.to_string())])
}

#[tokio::test]
async fn a_ticket_from_the_menu_and_from_a_direct_message_within_four_requests() {
    let env = TestEnv::new().await;
    env.registered_contact(ANNA).await;

    // Way 2: writing straight to the bot with no active tickets.
    env.webhook_requests.reset();
    env.deliver(&updates::text(10, ANNA, "Не работает почта")).await;
    assert!(env.webhook_requests.get() <= 4, "a text ticket took {} DynamoDB requests", env.webhook_requests.get());
    let tickets = env.tickets_of("c1").await;
    assert_eq!(tickets.len(), 1);
    let first = env.ticket(tickets[0].id).await;
    assert_eq!(first.ticket.subject, "Не работает почта");
    assert_eq!(first.ticket.message, "");
    assert_eq!(first.ticket.status, shared::domain::TicketStatus::New);
    assert_eq!(first.ticket.source, "messenger");
    assert_eq!((first.ticket.contact_id.as_str(), first.ticket.client_id.as_str()), ("c1", "k1"));
    assert_eq!(first.journal.len(), 1);
    assert_eq!(first.journal[0].event, "created");
    let confirmation = env.telegram.messages_to(CHAT).pop().unwrap();
    assert_eq!(confirmation.text().unwrap(), created_text(first.ticket.id));
    assert_eq!(
        confirmation.reply_keyboard(),
        vec![texts::BTN_NEW_TICKET.ru, texts::BTN_STATUS.ru, texts::BTN_COMMENT.ru, texts::BTN_CANCEL.ru],
        "the menu fits the new state"
    );

    // Way 1: the menu button, then the message (a new ticket even though one is active).
    env.deliver(&updates::text(11, ANNA, texts::BTN_NEW_TICKET.ru)).await;
    assert_eq!(env.telegram.texts_to(CHAT).last().unwrap(), texts::NEW_TICKET_PROMPT.ru);
    env.deliver(&updates::text(12, ANNA, "Нужен доступ к VPN")).await;
    let tickets = env.tickets_of("c1").await;
    assert_eq!(tickets.len(), 2);
    assert_eq!(tickets[0].subject, "Нужен доступ к VPN", "newest first");
    assert_eq!(tickets[0].id, first.ticket.id + 1, "sequential numbers");
    assert_eq!(env.telegram.texts_to(CHAT).last().unwrap(), &created_text(tickets[0].id));
}

#[tokio::test]
async fn long_text_is_split_at_fifty_characters_cyrillic_and_emoji_included() {
    let env = TestEnv::new().await;
    env.registered_contact(ANNA).await;
    let subject = format!("{}🖨️{}", "Ж".repeat(40), "щ".repeat(8)); // 🖨️ is two characters
    let text = format!("{subject}и ещё подробности 😊");
    assert_eq!(subject.chars().count(), 50);
    env.deliver(&updates::text(10, ANNA, &text)).await;
    let ticket = env.ticket(env.tickets_of("c1").await[0].id).await.ticket;
    assert_eq!(ticket.subject, subject);
    assert_eq!(ticket.message, "и ещё подробности 😊");
}

#[tokio::test]
async fn a_jpeg_photo_is_stored_byte_identical_and_a_png_is_converted() {
    let env = TestEnv::new().await;
    env.registered_contact(ANNA).await;
    // JPEG marker followed by bytes no decoder accepts: stored as is only if never decoded.
    let mut jpeg = e2e::jpeg_bytes();
    jpeg.extend_from_slice(b"trailing bytes a decoder would drop");
    env.telegram.add_file("ph1", "photos/file_1.jpg", jpeg.clone());
    env.deliver(&updates::photo(10, ANNA, "ph1", jpeg.len() as u64, None, None)).await;
    let ticket = env.ticket(env.tickets_of("c1").await[0].id).await;
    assert_eq!(ticket.ticket.subject, "Файлы от Анна");
    assert_eq!(ticket.attachments.len(), 1, "only the largest size is taken");
    let photo = &ticket.attachments[0];
    assert_eq!(photo.content_type, "image/jpeg");
    assert_eq!(photo.size, jpeg.len() as u64);
    assert_eq!(env.files().get(&photo.key).await.unwrap(), jpeg);

    let png = png_bytes();
    env.telegram.add_file("ph2", "photos/file_2.png", png.clone());
    env.deliver(&updates::text(11, ANNA, texts::BTN_NEW_TICKET.ru)).await;
    env.deliver(&updates::photo(12, ANNA, "ph2", png.len() as u64, Some("Скриншот ошибки"), None)).await;
    let ticket = env.ticket(env.tickets_of("c1").await[0].id).await;
    assert_eq!(ticket.ticket.subject, "Скриншот ошибки");
    let stored = env.files().get(&ticket.attachments[0].key).await.unwrap();
    assert!(shared::media::is_jpeg(&stored), "converted to JPEG");
    let decoded = image::load_from_memory(&stored).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (20, 10));
    assert!(ticket.attachments[0].name.ends_with(".jpg"));
}

#[tokio::test]
async fn a_document_keeps_its_cyrillic_name() {
    let env = TestEnv::new().await;
    env.registered_contact(ANNA).await;
    let name = "Счёт №15 за март.pdf";
    let bytes = b"%PDF-1.4 test".to_vec();
    env.telegram.add_file("doc1", "documents/file_3.pdf", bytes.clone());
    env.deliver(&updates::document(10, ANNA, "doc1", name, "application/pdf", bytes.len() as u64, Some("Оплата")))
        .await;
    let ticket = env.ticket(env.tickets_of("c1").await[0].id).await;
    let attachment = &ticket.attachments[0];
    assert_eq!(attachment.name, name);
    assert_eq!(attachment.content_type, "application/pdf");
    assert!(attachment.key.is_ascii(), "the key is sanitised: {}", attachment.key);
    assert!(attachment.key.ends_with(".pdf"));
    let head = e2e::stack()
        .s3()
        .head_object()
        .bucket(&env.config.attachments_bucket)
        .key(&attachment.key)
        .send()
        .await
        .unwrap();
    let original = head.metadata().and_then(|m| m.get("original-name")).expect("original name in metadata");
    assert_eq!(percent_encoding::percent_decode_str(original).decode_utf8().unwrap(), name);
    assert_eq!(env.files().get(&attachment.key).await.unwrap(), bytes);
}

#[tokio::test]
async fn an_album_of_three_delivered_concurrently_is_one_ticket() {
    let env = TestEnv::new().await;
    env.registered_contact(ANNA).await;
    for i in 1..=3 {
        env.telegram.add_file(&format!("al{i}"), &format!("photos/al{i}.jpg"), e2e::jpeg_bytes());
    }
    let part =
        |i: u64, caption: Option<&str>| updates::photo(20 + i, ANNA, &format!("al{i}"), 1000, caption, Some("album-1"));
    let (one, two, three) = (part(1, None), part(2, Some("Сломался монитор")), part(3, None));
    let (a, b, c) = tokio::join!(env.deliver(&one), env.deliver(&two), env.deliver(&three));
    assert_eq!((a.status, b.status, c.status), (200, 200, 200));
    let tickets = env.tickets_of("c1").await;
    assert_eq!(tickets.len(), 1, "one album, one ticket");
    let ticket = env.ticket(tickets[0].id).await;
    assert_eq!(ticket.attachments.len(), 3, "every file of the album");
    assert_eq!(ticket.ticket.subject, "Сломался монитор", "the caption, whichever part carried it");
    let confirmations: Vec<String> =
        env.telegram.texts_to(CHAT).into_iter().filter(|t| t.starts_with("✔️ Ваше обращение")).collect();
    assert_eq!(confirmations, vec![created_text(ticket.ticket.id)], "one confirmation");
}

#[tokio::test]
async fn a_duplicate_delivery_never_makes_a_second_ticket_or_attachment() {
    let env = TestEnv::new().await;
    env.registered_contact(ANNA).await;
    // Telegram redelivers when our answer did not reach it, and carries out the answer it gets.
    let text = updates::text(30, ANNA, "Не печатает принтер");
    let lost = env.post_webhook(Some(e2e::WEBHOOK_SECRET), serde_json::to_vec(&text).unwrap()).await;
    let redelivered = env.deliver(&text).await;
    assert_eq!(redelivered.body, lost.body, "the redelivery answers the same confirmation");
    assert_eq!(env.tickets_of("c1").await.len(), 1, "sequential redelivery");

    env.telegram.add_file("dup", "photos/dup.jpg", e2e::jpeg_bytes());
    env.deliver(&updates::text(31, ANNA, texts::BTN_NEW_TICKET.ru)).await;
    let photo = serde_json::to_vec(&updates::photo(32, ANNA, "dup", 1000, Some("Фото"), None)).unwrap();
    let (a, b) = tokio::join!(
        env.post_webhook(Some(e2e::WEBHOOK_SECRET), photo.clone()),
        env.post_webhook(Some(e2e::WEBHOOK_SECRET), photo.clone())
    );
    assert_eq!((a.status, b.status), (200, 200));
    assert_eq!(a.body, b.body, "both deliveries answer the one confirmation");
    env.telegram.execute_webhook_response(a.body.as_ref().expect("a confirmation"));
    let tickets = env.tickets_of("c1").await;
    assert_eq!(tickets.len(), 2, "concurrent redelivery");
    assert_eq!(env.ticket(tickets[0].id).await.attachments.len(), 1);
    let confirmations = env.telegram.texts_to(CHAT).into_iter().filter(|t| t.starts_with("✔️")).count();
    assert_eq!(confirmations, 2);
}

#[tokio::test]
async fn storage_failing_midway_is_retried_by_telegram_and_finished_once() {
    let env = TestEnv::new().await;
    env.registered_contact(ANNA).await;
    env.telegram.add_file("late", "photos/late.jpg", e2e::jpeg_bytes());
    let s3 = e2e::stack().s3();
    let bucket = env.config.attachments_bucket.clone();
    s3.delete_bucket().bucket(&bucket).send().await.unwrap();
    let photo = updates::photo(40, ANNA, "late", 1000, Some("Скрин"), None);
    let failed = env.deliver(&photo).await;
    assert_eq!(failed.status, 500, "Telegram must redeliver");
    assert!(env.tickets_of("c1").await.is_empty(), "nothing half-done");
    assert!(env.telegram.texts_to(CHAT).is_empty());

    s3.create_bucket().bucket(&bucket).send().await.unwrap();
    assert_eq!(env.deliver(&photo).await.status, 200);
    env.deliver(&photo).await;
    let tickets = env.tickets_of("c1").await;
    assert_eq!(tickets.len(), 1);
    assert_eq!(env.ticket(tickets[0].id).await.attachments.len(), 1);
}

#[tokio::test]
async fn a_too_large_file_is_named_and_the_rest_still_saved() {
    let env = TestEnv::new().await;
    env.registered_contact(ANNA).await;
    let big = 25 * 1024 * 1024;
    env.deliver(&updates::document(50, ANNA, "big1", "логи.zip", "application/zip", big, Some("Логи сервера"))).await;
    let tickets = env.tickets_of("c1").await;
    assert_eq!(tickets.len(), 1);
    let ticket = env.ticket(tickets[0].id).await;
    assert_eq!(ticket.ticket.subject, "Логи сервера");
    assert!(ticket.attachments.is_empty());
    let said = env.telegram.texts_to(CHAT);
    assert_eq!(said[0], texts::fill(texts::FILE_TOO_LARGE.ru, &[("name", "логи.zip")]));
    assert_eq!(said[1], created_text(ticket.ticket.id));

    env.telegram.clear();
    env.deliver(&updates::text(51, ANNA, texts::BTN_NEW_TICKET.ru)).await;
    env.deliver(&updates::document(52, ANNA, "big2", "видео.mp4", "video/mp4", big, None)).await;
    assert_eq!(env.tickets_of("c1").await.len(), 1, "a message with nothing else creates nothing");
    assert_eq!(
        env.telegram.texts_to(CHAT).last().unwrap(),
        &texts::fill(texts::FILE_TOO_LARGE.ru, &[("name", "видео.mp4")])
    );
}

#[tokio::test]
async fn a_sticker_gets_a_clear_answer_and_creates_nothing() {
    let env = TestEnv::new().await;
    env.registered_contact(ANNA).await;
    env.deliver(&updates::sticker(60, ANNA)).await;
    assert!(env.tickets_of("c1").await.is_empty());
    assert_eq!(env.telegram.texts_to(CHAT), vec![texts::fill(texts::UNSUPPORTED.ru, &[("kind", "стикер")])]);
}

#[tokio::test]
async fn a_direct_message_is_attached_to_the_chosen_active_ticket() {
    let env = TestEnv::new().await;
    env.registered_contact(ANNA).await;
    env.deliver(&updates::text(70, ANNA, "Первая заявка")).await;
    env.deliver(&updates::text(71, ANNA, texts::BTN_NEW_TICKET.ru)).await;
    env.deliver(&updates::text(72, ANNA, "Вторая заявка")).await;
    let tickets = env.tickets_of("c1").await;
    let first_id = tickets[1].id;

    env.telegram.clear();
    env.deliver(&updates::text(73, ANNA, "Забыла добавить: ошибка 0x80070005")).await;
    let question = env.telegram.messages_to(CHAT).pop().unwrap();
    assert_eq!(question.text(), Some(texts::NEW_OR_ATTACH.ru));
    let choice = question.inline_buttons();
    assert_eq!(choice[0].0, texts::BTN_NEW_REQUEST.ru);
    assert_eq!(choice[1].0, texts::BTN_ATTACH.ru);

    env.deliver(&updates::callback(74, ANNA, &choice[1].1)).await;
    let list = env.telegram.messages_to(CHAT).pop().unwrap();
    assert_eq!(list.text(), Some(texts::CHOOSE_TICKET_TO_ATTACH.ru));
    let buttons = list.inline_buttons();
    assert_eq!(buttons.len(), 2);
    assert_eq!(buttons[1].0, format!("#{first_id} Первая заявка"));

    env.deliver(&updates::callback(75, ANNA, &buttons[1].1)).await;
    assert_eq!(env.tickets_of("c1").await.len(), 2, "no new ticket");
    let ticket = env.ticket(first_id).await;
    assert_eq!(ticket.comments.len(), 1);
    let comment = &ticket.comments[0];
    assert_eq!(comment.text, "Забыла добавить: ошибка 0x80070005");
    assert_eq!(
        (comment.author_kind, comment.author_id.as_str(), comment.internal),
        (shared::domain::AuthorKind::Client, "c1", false)
    );
    assert_eq!(
        env.telegram.texts_to(CHAT).last().unwrap(),
        &texts::fill(texts::COMMENT_ADDED.ru, &[("id", &first_id.to_string())])
    );

    // The same button again (a double tap): nothing more.
    env.deliver(&updates::callback(76, ANNA, &buttons[1].1)).await;
    assert_eq!(env.ticket(first_id).await.comments.len(), 1);
}

#[tokio::test]
async fn an_album_sent_while_tickets_are_active_is_one_pending_message_asked_about_once() {
    let env = TestEnv::new().await;
    env.registered_contact(ANNA).await;
    env.deliver(&updates::text(80, ANNA, "Уже есть заявка")).await;
    env.telegram.clear();
    for i in 1..=3 {
        env.telegram.add_file(&format!("pa{i}"), &format!("photos/pa{i}.jpg"), e2e::jpeg_bytes());
    }
    let part =
        |i: u64, caption: Option<&str>| updates::photo(80 + i, ANNA, &format!("pa{i}"), 1000, caption, Some("album-p"));
    let (one, two, three) = (part(1, None), part(2, None), part(3, Some("Фото к заявке")));
    tokio::join!(env.deliver(&one), env.deliver(&two), env.deliver(&three));
    let questions = env.telegram.texts_to(CHAT).into_iter().filter(|t| t == texts::NEW_OR_ATTACH.ru).count();
    assert_eq!(questions, 1, "the question is asked once for the whole album");
    let choice = env.telegram.messages_to(CHAT).pop().unwrap().inline_buttons();
    env.deliver(&updates::callback(90, ANNA, &choice[0].1)).await; // «➕ Новая заявка»
    let tickets = env.tickets_of("c1").await;
    assert_eq!(tickets.len(), 2);
    let album = env.ticket(tickets[0].id).await;
    assert_eq!(album.ticket.subject, "Фото к заявке");
    assert_eq!(album.attachments.len(), 3, "every part waited in the pending message");
}

#[tokio::test]
async fn a_voice_message_is_taken_as_a_file() {
    let env = TestEnv::new().await;
    env.registered_contact(ANNA).await;
    env.telegram.add_file("v1", "voice/file_9.oga", b"OggS voice".to_vec());
    let voice = serde_json::json!({
        "update_id": 95,
        "message": {"message_id": 95, "date": 1, "chat": {"id": ANNA, "type": "private"},
                    "from": {"id": ANNA, "is_bot": false, "first_name": "Анна"},
                    "voice": {"file_id": "v1", "file_unique_id": "v1-u", "duration": 3, "mime_type": "audio/ogg", "file_size": 10}}
    });
    env.deliver(&voice).await;
    let ticket = env.ticket(env.tickets_of("c1").await[0].id).await;
    assert_eq!(ticket.ticket.subject, "Файлы от Анна");
    assert_eq!(ticket.attachments[0].content_type, "audio/ogg");
    assert_eq!(env.files().get(&ticket.attachments[0].key).await.unwrap(), b"OggS voice");
}

#[tokio::test]
async fn two_chats_with_one_album_id_get_their_own_tickets() {
    let env = TestEnv::new().await;
    env.registered_contact(ANNA).await;
    let boris = 5002;
    let (status, _) = env
        .api(
            "PUT",
            "/contacts/c2",
            Some(serde_json::json!({"name": "Борис", "phone": "+7 912 345-67-00", "client_id": "k1"})),
        )
        .await;
    assert_eq!(status, 201);
    env.deliver(&updates::contact(2, boris, "79123456700", Some(boris))).await;
    env.telegram.add_file("a1", "photos/a1.jpg", e2e::jpeg_bytes());
    env.telegram.add_file("b1", "photos/b1.jpg", e2e::jpeg_bytes());
    // Album ids are unique per chat, not across chats: a forged or colliding id is someone else's.
    env.deliver(&updates::photo(10, ANNA, "a1", 1000, Some("Анна: принтер"), Some("same-album"))).await;
    env.deliver(&updates::photo(11, boris, "b1", 1000, Some("Борис: сканер"), Some("same-album"))).await;
    let (annas, boris_tickets) = (env.tickets_of("c1").await, env.tickets_of("c2").await);
    assert_eq!((annas.len(), boris_tickets.len()), (1, 1), "each chat has its own ticket");
    assert_eq!(env.ticket(annas[0].id).await.attachments.len(), 1, "Анна's ticket holds Анна's photo only");
    assert_eq!(env.ticket(boris_tickets[0].id).await.ticket.subject, "Борис: сканер");
    assert!(env.telegram.texts_to(boris as i64).last().unwrap().starts_with("✔️ Ваше обращение зарегистрировано"));
}
