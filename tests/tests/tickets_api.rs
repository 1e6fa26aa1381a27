//! Staff API, part 2 (tickets), through the real API handler, DynamoDB Local and local S3.

use e2e::{updates, TestEnv};
use serde_json::json;

const ANNA: u64 = 5001;

async fn world() -> TestEnv {
    let env = TestEnv::new().await;
    env.registered_contact(ANNA).await;
    let (status, _) = env.api("PUT", "/employees/e2", Some(json!({"name": "Пётр"}))).await;
    assert_eq!(status, 201);
    env
}

#[tokio::test]
async fn a_ticket_is_created_read_and_listed() {
    let env = world().await;
    let body = json!({"contact_id": "c1", "subject": "Не работает почта", "message": "С утра", "source": "email",
                      "assignee_id": "e2", "deadline": "2026-11-30T12:00:00Z"});
    let (status, created) = env.api("POST", "/tickets", Some(body)).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_u64().unwrap();
    let (status, ticket) = env.api("GET", &format!("/tickets/{id}"), None).await;
    assert_eq!(status, 200);
    assert_eq!(ticket["subject"], "Не работает почта");
    assert_eq!(ticket["message"], "С утра");
    assert_eq!(ticket["status"], "new");
    assert_eq!(ticket["status_name"], "Новая");
    assert_eq!(ticket["source"], "email");
    assert_eq!((ticket["client_id"].as_str(), ticket["contact_id"].as_str()), (Some("k1"), Some("c1")));
    assert_eq!(ticket["assignee"], json!({"id": "e2", "name": "Пётр"}));
    assert_eq!(ticket["deadline"], "2026-11-30T12:00:00.000Z");
    assert_eq!(ticket["comments"], json!([]));
    assert_eq!(ticket["journal"][0]["event"], "created");
    assert_eq!(ticket["journal"][0]["by"], "api");
    for field in ["created_at", "updated_at"] {
        assert!(ticket[field].is_string(), "{field}");
    }

    env.deliver(&updates::text(10, ANNA, "Ещё одна из бота")).await; // "new or attach?": pending
    env.deliver(&updates::text(11, ANNA, shared::texts::BTN_NEW_TICKET.ru)).await;
    env.deliver(&updates::text(12, ANNA, "Заявка из бота")).await;
    let (status, list) = env.api("GET", "/tickets?contact_id=c1", None).await;
    assert_eq!(status, 200);
    let subjects: Vec<&str> =
        list["tickets"].as_array().unwrap().iter().map(|t| t["subject"].as_str().unwrap()).collect();
    assert_eq!(subjects, ["Заявка из бота", "Не работает почта"], "newest first");
    assert!(list["tickets"][0].get("comments").is_none(), "lists carry no comments");
    assert_eq!(list["tickets"][0]["source"], "messenger");
    let (_, by_client) = env.api("GET", "/tickets?client_id=k1&status=new", None).await;
    assert_eq!(by_client["tickets"].as_array().unwrap().len(), 2);
    let (_, none) = env.api("GET", "/tickets?client_id=k1&status=done", None).await;
    assert_eq!(none["tickets"], json!([]));
    assert_eq!(env.api("GET", "/tickets?status=open", None).await.0, 422);
}

#[tokio::test]
async fn attachments_come_with_presigned_links_that_work() {
    let env = world().await;
    env.telegram.add_file("doc", "documents/a.pdf", b"%PDF-1.4 hello".to_vec());
    env.deliver(&updates::document(10, ANNA, "doc", "Акт сверки.pdf", "application/pdf", 14, Some("Акт"))).await;
    let id = env.tickets_of("c1").await[0].id;
    let (_, ticket) = env.api("GET", &format!("/tickets/{id}"), None).await;
    let attachment = &ticket["attachments"][0];
    assert_eq!(attachment["name"], "Акт сверки.pdf");
    assert_eq!(attachment["content_type"], "application/pdf");
    assert_eq!(attachment["size"], 14);
    let url = attachment["url"].as_str().unwrap();
    assert!(url.contains("X-Amz-Expires=900"), "valid for minutes: {url}");
    let bytes = reqwest::get(url).await.unwrap().bytes().await.unwrap();
    assert_eq!(&bytes[..], b"%PDF-1.4 hello");
}

#[tokio::test]
async fn patches_are_validated_and_journaled() {
    let env = world().await;
    let (_, created) =
        env.api("POST", "/tickets", Some(json!({"contact_id": "c1", "subject": "Тема", "source": "phone"}))).await;
    let path = format!("/tickets/{}", created["id"]);
    for (body, why, expected) in [
        (json!({"status": "open"}), "status", 422),
        (json!({"assignee_id": "ghost"}), "assignee_id", 404),
        (json!({"assignee_id": "not an id"}), "assignee_id", 422),
        (json!({"deadline": "tomorrow"}), "deadline", 422),
        (json!({"by": "ghost"}), "by", 404),
        (json!({"subject": "new"}), "subject", 422),
    ] {
        let (status, answer) = env.api("PATCH", &path, Some(body)).await;
        assert_eq!(status, expected, "{answer}");
        assert!(answer["error"]["message"].as_str().unwrap().contains(why), "{answer}");
    }
    let (_, unchanged) = env.api("GET", &path, None).await;
    assert_eq!(unchanged["journal"].as_array().unwrap().len(), 1, "refused patches change nothing");

    let (status, ticket) =
        env.api("PATCH", &path, Some(json!({"status": "in_progress", "assignee_id": "e2", "by": "e2"}))).await;
    assert_eq!(status, 200);
    assert_eq!(ticket["status"], "in_progress");
    let journal = ticket["journal"].as_array().unwrap();
    assert_eq!(journal.len(), 3);
    assert_eq!(journal[1]["event"], "status_changed");
    assert_eq!(journal[1]["by"], "employee:e2");
    assert_eq!(journal[2]["event"], "assignee_changed");

    let (_, ticket) = env.api("PATCH", &path, Some(json!({"assignee_id": null, "status": "in_progress"}))).await;
    assert_eq!(ticket["assignee"], json!(null));
    assert_eq!(ticket["journal"].as_array().unwrap().len(), 4, "the same status again is no change");
    assert_eq!(env.api("PATCH", "/tickets/999999", Some(json!({"status": "done"}))).await.0, 404);
    assert_eq!(env.api("GET", "/tickets/abc", None).await.0, 404);
}

#[tokio::test]
async fn tickets_and_comments_refuse_what_they_cannot_take() {
    let env = world().await;
    for (body, why, expected) in [
        (json!({"contact_id": "nobody", "subject": "x", "source": "email"}), "contact_id", 404),
        (json!({"contact_id": "c1", "subject": " ", "source": "email"}), "subject", 422),
        (json!({"contact_id": "c1", "subject": "x", "source": "messenger"}), "source", 422),
        (json!({"contact_id": "c1", "subject": "x", "source": "web", "assignee_id": "ghost"}), "assignee_id", 404),
        (json!({"contact_id": "c1", "subject": "x", "source": "web", "deadline": "2026-13-01"}), "deadline", 422),
        (json!({"subject": "x", "source": "web"}), "contact_id", 422),
    ] {
        let (status, answer) = env.api("POST", "/tickets", Some(body)).await;
        assert_eq!(status, expected, "{answer}");
        assert!(answer["error"]["message"].as_str().unwrap().contains(why), "{answer}");
    }
    assert!(env.tickets_of("c1").await.is_empty());

    let (_, created) =
        env.api("POST", "/tickets", Some(json!({"contact_id": "c1", "subject": "Тема", "source": "web"}))).await;
    let comments = format!("/tickets/{}/comments", created["id"]);
    assert_eq!(env.api("POST", &comments, Some(json!({"author_id": "ghost", "text": "x"}))).await.0, 404);
    assert_eq!(env.api("POST", &comments, Some(json!({"author_id": "e2", "text": "  "}))).await.0, 422);
    assert_eq!(env.api("POST", "/tickets/424242/comments", Some(json!({"author_id": "e2", "text": "x"}))).await.0, 404);
    let (status, comment) = env.api("POST", &comments, Some(json!({"author_id": "e2", "text": "Посмотрю"}))).await;
    assert_eq!(status, 201);
    assert_eq!(comment["internal"], false, "public unless said otherwise");
    let (_, ticket) = env.api("GET", &format!("/tickets/{}", created["id"]), None).await;
    assert_eq!(ticket["comments"][0]["text"], "Посмотрю");
    assert_eq!(ticket["comments"][0]["author"]["kind"], "employee");
}

#[tokio::test]
async fn a_misspelt_internal_flag_is_refused_and_nothing_reaches_the_client() {
    let env = world().await;
    let (_, created) =
        env.api("POST", "/tickets", Some(json!({"contact_id": "c1", "subject": "Тема", "source": "web"}))).await;
    env.run_notifier().await; // the creation's notices, if any, out of the way
    let sent_before = env.telegram.messages_to(ANNA as i64).len();
    let comments = format!("/tickets/{}/comments", created["id"]);
    for (body, field) in [
        (json!({"author_id": "e2", "text": "Клиент неплатёжеспособен", "is_internal": true}), "is_internal"),
        (json!({"author_id": "e2", "text": "Клиент неплатёжеспособен", "internal": "yes"}), "internal"),
    ] {
        let (status, answer) = env.api("POST", &comments, Some(body)).await;
        assert_eq!(status, 422, "{answer}");
        assert!(answer["error"]["message"].as_str().unwrap().starts_with(&format!("{field}: ")), "{answer}");
    }
    let id = created["id"].as_u64().unwrap();
    assert!(env.ticket(id).await.comments.is_empty(), "no comment stored");
    let batch = env.stream_batch().await;
    assert!(batch.records.is_empty(), "nothing on the stream for the notifier: {:?}", batch.records.len());
    assert_eq!(env.telegram.messages_to(ANNA as i64).len(), sent_before, "nothing sent");
}

#[tokio::test]
async fn a_retried_creation_under_one_key_is_one_ticket_and_one_notice() {
    let env = world().await;
    env.run_notifier().await;
    env.telegram.clear();
    let body = json!({"contact_id": "c1", "subject": "Не работает почта", "source": "email"});
    // Two at once (a client's timeout and its retry), then one more later.
    let (first, second) = tokio::join!(
        env.api_keyed("POST", "/tickets", &body, "mail-4711"),
        env.api_keyed("POST", "/tickets", &body, "mail-4711")
    );
    let third = env.api_keyed("POST", "/tickets", &body, "mail-4711").await;
    assert_eq!(first.0, 201, "{}", first.1);
    assert_eq!(second, first, "the concurrent repeat answers the first");
    assert_eq!(third, first, "the later repeat answers the first");
    let tickets = env.tickets_of("c1").await;
    assert_eq!(tickets.len(), 1, "one ticket: {tickets:?}");
    assert_eq!(Some(tickets[0].id), first.1["id"].as_u64());

    let other = json!({"contact_id": "c1", "subject": "Другое", "source": "email"});
    let (status, refused) = env.api_keyed("POST", "/tickets", &other, "mail-4711").await;
    assert_eq!(status, 422, "{refused}");

    let comments = format!("/tickets/{}/comments", first.1["id"]);
    let note = json!({"author_id": "e2", "text": "Посмотрю"});
    let (a, b) =
        tokio::join!(env.api_keyed("POST", &comments, &note, "n-1"), env.api_keyed("POST", &comments, &note, "n-1"));
    assert_eq!((a.0, &a.1), (201, &b.1), "{}", a.1);
    assert_eq!(env.ticket(tickets[0].id).await.comments.len(), 1, "one comment");

    env.run_notifier().await;
    let notices = env.telegram.messages_to(ANNA as i64);
    assert_eq!(notices.len(), 2, "one notice of the ticket and one of the comment: {notices:?}");
}

/// Every page of a listing from `path` (which holds a `?`), following `next_cursor`.
async fn pages(env: &TestEnv, path: &str, limit: usize) -> Vec<Vec<u64>> {
    let mut pages = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let with_cursor = cursor.as_ref().map(|c| format!("&cursor={c}")).unwrap_or_default();
        let (status, page) = env.api("GET", &format!("{path}&limit={limit}{with_cursor}"), None).await;
        assert_eq!(status, 200, "{page}");
        pages.push(page["tickets"].as_array().unwrap().iter().map(|t| t["id"].as_u64().unwrap()).collect());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return pages,
        }
        assert!(pages.len() < 100, "the pages never end");
    }
}

#[tokio::test]
async fn a_listing_of_120_tickets_comes_in_pages_without_a_scan() {
    let env = world().await;
    let mut made = vec![];
    for n in 0..120 {
        let body = json!({"contact_id": "c1", "subject": format!("Заявка {n}"), "source": "phone"});
        let (status, created) = env.api("POST", "/tickets", Some(body)).await;
        assert_eq!(status, 201, "{created}");
        made.push(created["id"].as_u64().unwrap());
    }
    for id in made.iter().filter(|id| *id % 4 == 0) {
        let (status, _) = env.api("PATCH", &format!("/tickets/{id}"), Some(json!({"status": "in_progress"}))).await;
        assert_eq!(status, 200);
    }
    let newest_first: Vec<u64> = made.iter().rev().copied().collect();

    let all = pages(&env, "/tickets?", 25).await;
    assert_eq!(all.iter().map(Vec::len).collect::<Vec<_>>(), [25, 25, 25, 25, 20], "five pages");
    assert_eq!(all.concat(), newest_first, "every ticket once, newest first");
    let mine = pages(&env, "/tickets?contact_id=c1", 50).await;
    assert_eq!(mine.concat(), newest_first, "a contact's, in pages of 50");
    let working: Vec<u64> = newest_first.iter().filter(|id| *id % 4 == 0).copied().collect();
    let by_status = pages(&env, "/tickets?status=in_progress", 7).await;
    assert_eq!(by_status.concat(), working, "of one status, from its index");
    let of_client = pages(&env, "/tickets?client_id=k1&status=new", 40).await;
    assert_eq!(of_client.concat().len(), 90, "a client's of one status");
    let (_, first) = env.api("GET", "/tickets", None).await;
    assert_eq!(first["tickets"].as_array().unwrap().len(), 50, "50 unless asked otherwise");

    let forged = "not-a-cursor";
    for (query, why) in [
        (format!("cursor={forged}"), "a cursor the API did not give"),
        ("cursor=7a7a".to_owned(), "hex, but no cursor"),
        ("limit=0".to_owned(), "a limit of nothing"),
        ("limit=201".to_owned(), "more than a page"),
        ("limit=ten".to_owned(), "not a number"),
        ("contact=c1".to_owned(), "an unknown parameter"),
    ] {
        let (status, body) = env.api("GET", &format!("/tickets?{query}"), None).await;
        assert_eq!(status, 422, "{why}: {body}");
    }
}

/// A filtered listing reads a partition in batches of its own, not a page's size: DynamoDB
/// applies `Limit` before the filter, so a page of one rated ticket among 1,000 unrated ones
/// used to cost 501 requests (two items each); the batch now grows five-fold while the filter
/// leaves the page short. Prints the count.
#[tokio::test]
async fn a_filtered_listing_reads_non_matching_items_in_large_batches() {
    let env = TestEnv::new().await;
    let store = env.store();
    for _ in 0..1000 {
        e2e::insert_ticket(&store, "c1", shared::domain::TicketStatus::New).await;
    }
    let requests = e2e::RequestCounter::default();
    let counted = e2e::Function::Api.dynamodb().config().to_builder().interceptor(requests.clone()).build();
    let api_store = shared::dynamo::DynamoStore::new(
        aws_sdk_dynamodb::Client::from_conf(counted),
        &env.config.bot_table,
        &env.config.tickets_table,
    );
    let rated = shared::ports::TicketFilter {
        contact_id: Some("c1".into()),
        rated: Some(true),
        ..shared::ports::TicketFilter::default()
    };
    let page = shared::ports::TicketStore::list_tickets(&api_store, &rated, None, 1).await.expect("a page");
    assert!(page.items.is_empty() && page.next.is_none(), "none rated: {:?}", page.next);
    println!("a page of 1 rated ticket among 1,000 unrated: {} requests", requests.get());
    assert!(requests.get() <= 8, "{} requests for 1,000 items", requests.get());
}
