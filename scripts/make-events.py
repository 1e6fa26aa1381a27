#!/usr/bin/env python3
"""Writes the sample Lambda events in events/ (run from the repository root).

events/webhook/  Function URL (HTTP API v2 format) requests carrying Telegram updates, in the
                 order of a chat: registration, tickets, albums, every button.
events/api/      HTTP API v2 requests to the staff API.
events/stream/   DynamoDB stream batches (TicketsTable) for each kind of notification.

They use the demo directory that `make run` seeds (contact demo-anna, +7 900 123-45-67, client
demo with manager demo-manager) and the local secrets. `tests/tests/events.rs` feeds every file
to its handler; `make invoke EVENT=events/...` runs one against the local stack.
"""
import json
import pathlib

ROOT = pathlib.Path("events")
SECRET = "local-webhook-secret-0123456789abcdef"
API_TOKEN = "local-api-token-0123456789abcdefghij"
USER = 100500  # the simulator's client
MANAGER_USER = 100501
EPOCH = 1764072000


def http_event(method, path, body, headers, query=""):
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": {"content-type": "application/json", **headers},
        "requestContext": {
            "accountId": "anonymous",
            "apiId": "local",
            "domainName": "local.lambda-url.eu-central-1.on.aws",
            "domainPrefix": "local",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1",
                     "sourceIp": "149.154.167.220", "userAgent": "sample-event"},
            "requestId": "sample-request",
            "routeKey": "$default",
            "stage": "$default",
            "time": "25/Nov/2026:12:00:00 +0000",
            "timeEpoch": EPOCH * 1000,
        },
        "body": body if isinstance(body, str) or body is None else json.dumps(body, ensure_ascii=False),
        "isBase64Encoded": False,
    }


def message(update_id, content, user=USER):
    m = {"message_id": update_id, "date": EPOCH + update_id,
         "chat": {"id": user, "type": "private", "first_name": "Анна"},
         "from": {"id": user, "is_bot": False, "first_name": "Анна", "language_code": "ru"}}
    m.update(content)
    return {"update_id": update_id, "message": m}


def press(update_id, data, user=USER):
    return {"update_id": update_id, "callback_query": {
        "id": f"sample-cb-{update_id}", "from": {"id": user, "is_bot": False, "first_name": "Анна"},
        "chat_instance": "sample", "data": data,
        "message": {"message_id": 1, "date": EPOCH, "chat": {"id": user, "type": "private"}, "text": "…"}}}


def photo(file_id, size, caption=None, album=None):
    c = {"photo": [{"file_id": f"{file_id}-s", "file_unique_id": f"{file_id}-us", "width": 90, "height": 60, "file_size": 900},
                   {"file_id": file_id, "file_unique_id": f"{file_id}-u", "width": 1280, "height": 960, "file_size": size}]}
    if caption:
        c["caption"] = caption
    if album:
        c["media_group_id"] = album
    return c


WEBHOOK = [
    ("01-start", message(1, {"text": "/start"})),
    ("02-contact-someone-elses", message(2, {"contact": {"phone_number": "79001234567", "first_name": "Анна", "user_id": 42}})),
    ("03-contact-own-phone", message(3, {"contact": {"phone_number": "79001234567", "first_name": "Анна", "user_id": USER}})),
    ("04-text-direct-creates-ticket", message(4, {"text": "Не работает почта: письма не уходят с утра, Outlook пишет ошибку 0x800CCC0E"})),
    ("05-menu-new-ticket", message(5, {"text": "➕ Новое обращение"})),
    ("06-photo-jpeg", message(6, photo("demo-photo", 1024, caption="Скриншот ошибки"))),
    ("07-text-direct-with-active-tickets", message(7, {"text": "И ещё: не открывается 1С"})),
    ("08-button-attach", press(8, "na:att")),
    ("09-button-attach-to-ticket-1", press(9, "att:1")),
    ("10-document", message(10, {"document": {"file_id": "demo-document", "file_unique_id": "demo-document-u",
                                              "file_name": "Счёт №15 за март.pdf", "mime_type": "application/pdf", "file_size": 2048},
                                 "caption": "Счёт к оплате"})),
    ("11-button-new-request", press(11, "na:new")),
    ("12-album-part-1", message(12, photo("demo-album-1", 1024, album="demo-album"))),
    ("13-album-part-2-with-caption", message(13, photo("demo-album-2", 1024, caption="Фото стойки", album="demo-album"))),
    ("13a-button-new-request-for-the-album", press(131, "na:new")),
    ("14-document-too-large", message(14, {"document": {"file_id": "demo-big", "file_unique_id": "demo-big-u",
                                                        "file_name": "backup.zip", "mime_type": "application/zip",
                                                        "file_size": 26214400}})),
    ("15-sticker", message(15, {"sticker": {"file_id": "s", "file_unique_id": "su", "type": "regular", "width": 512,
                                            "height": 512, "is_animated": False, "is_video": False}})),
    ("16-menu-status", message(16, {"text": "❓ Узнать статус обращения"})),
    ("17-button-status-card", press(17, "st:1")),
    ("18-button-next-page", press(18, "pg:st:1")),
    ("19-menu-comment", message(19, {"text": "💬 Добавить комментарий"})),
    ("20-button-comment-on-ticket-1", press(20, "cm:1")),
    ("21-comment-text", message(21, {"text": "Перезагрузка не помогла"})),
    ("22-menu-cancel", message(22, {"text": "🛑 Отменить обращение"})),
    ("23-button-cancel-ticket-2", press(23, "cx:2")),
    ("24-button-cancel-ticket-2-again", press(24, "cx:2")),
    ("25-menu-question-on-completed", message(25, {"text": "🧐 У меня вопрос по одной из уже выполненных задач"})),
    ("26-button-question-on-ticket-1", press(26, "qd:1")),
    ("27-menu-call-me", message(27, {"text": "😮 Я отправлял задачу, свяжетесь со мной пожалуйста и давайте разберёмся!"})),
    ("28-button-company-choice-stale", press(28, "co:demo-anna")),
    ("28a-command-help", message(281, {"text": "/help"})),
    ("28b-command-unknown", message(282, {"text": "/settings"})),
    # The shape of the samples in Telegram's webhook guide: no is_bot, no chat type.
    ("28c-webhook-guide-start", {"update_id": 283, "message": {
        "date": EPOCH, "message_id": 1365, "text": "/start",
        "chat": {"last_name": "Test Lastname", "id": USER, "first_name": "Test", "username": "Test"},
        "from": {"last_name": "Test Lastname", "id": USER, "first_name": "Test", "username": "Test"}}}),
    ("28d-message-without-sender", {"update_id": 284, "message": {
        "date": EPOCH, "message_id": 284, "text": "кто я?", "chat": {"id": USER, "type": "private"}}}),
    ("29-blocked-the-bot", {"update_id": 29, "my_chat_member": {
        "chat": {"id": USER, "type": "private", "first_name": "Анна"},
        "from": {"id": USER, "is_bot": False, "first_name": "Анна"}, "date": EPOCH,
        "old_chat_member": {"status": "member", "user": {"id": 1, "is_bot": True, "first_name": "bot"}},
        "new_chat_member": {"status": "kicked", "until_date": 0, "user": {"id": 1, "is_bot": True, "first_name": "bot"}}}}),
    ("30-unknown-update-kind", {"update_id": 30, "some_future_update": {"x": 1}}),
]

API = [
    ("01-put-employee", "PUT", "/employees/demo-engineer", {"name": "Пётр Инженеров", "phone": "+7 900 000-00-02"}, ""),
    ("02-put-client", "PUT", "/clients/demo", {"name": "ООО «Демо»", "manager_id": "demo-manager", "vip": True}, ""),
    ("03-put-contact", "PUT", "/contacts/demo-boris", {"name": "Борис Демидов", "phone": "8 (900) 765-43-21", "client_id": "demo"}, ""),
    ("04-get-contact", "GET", "/contacts/demo-anna", None, ""),
    ("05-get-client", "GET", "/clients/demo", None, ""),
    ("06-get-employee", "GET", "/employees/demo-manager", None, ""),
    ("07-import-contacts-csv", "POST", "/import/contacts",
     "id,name,phone,client_id,active\ndemo-vera,Вера,+7 900 111-22-33,demo,true\ndemo-bad,Ошибка,12,demo,\n", ""),
    ("08-post-ticket", "POST", "/tickets", {"contact_id": "demo-anna", "subject": "Звонок: не печатает принтер",
                                            "message": "Клиент позвонил в 10:05", "source": "phone",
                                            "assignee_id": "demo-engineer", "deadline": "2026-11-28T15:00:00Z"}, ""),
    ("09-get-ticket-1", "GET", "/tickets/1", None, ""),
    ("10-list-tickets-of-contact", "GET", "/tickets", None, "contact_id=demo-anna&status=new"),
    ("11-patch-ticket-1", "PATCH", "/tickets/1", {"status": "in_progress", "assignee_id": "demo-engineer",
                                                  "deadline": "2026-11-30T12:00:00+03:00", "by": "demo-manager"}, ""),
    ("12-post-public-comment", "POST", "/tickets/1/comments", {"author_id": "demo-engineer", "text": "Выезжаю к вам", "internal": False}, ""),
    ("13-post-internal-comment", "POST", "/tickets/1/comments", {"author_id": "demo-engineer", "text": "Клиент просил не звонить до обеда", "internal": True}, ""),
    ("14-get-callback-requests", "GET", "/callback-requests", None, ""),
    ("15-deactivate-contact", "PUT", "/contacts/demo-vera", {"name": "Вера", "phone": "+7 900 111-22-33", "client_id": "demo", "active": False}, ""),
    ("16-wrong-token", "GET", "/clients/demo", None, ""),
]


def av(value):
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int):
        return {"N": str(value)}
    return {"S": value}


def image(d):
    return {k: av(v) for k, v in d.items() if v is not None}


TICKET = {"pk": "TICKET#1", "sk": "TICKET", "id": 1, "subject": "Не работает почта", "message": "", "status": "new",
          "source": "email", "client_id": "demo", "contact_id": "demo-anna", "created_at": "2026-11-25T09:00:00+00:00",
          "updated_at": "2026-11-25T09:00:00+00:00", "changed_by": "api", "version": 1}


def with_(base, **changes):
    d = dict(base)
    d.update(changes)
    return {k: v for k, v in d.items() if v is not None}


def record(n, name, new=None, old=None):
    keys = {"pk": (new or old)["pk"], "sk": (new or old)["sk"]}
    body = {"ApproximateCreationDateTime": EPOCH + n, "Keys": image(keys), "SequenceNumber": f"{100000000000 + n:021d}",
            "SizeBytes": 512, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    if new:
        body["NewImage"] = image(new)
    if old:
        body["OldImage"] = image(old)
    return {"eventID": f"sample-event-{n}", "eventName": name, "eventVersion": "1.1", "eventSource": "aws:dynamodb",
            "awsRegion": "eu-central-1", "dynamodb": body,
            "eventSourceARN": "arn:aws:dynamodb:eu-central-1:123456789012:table/TicketsTable/stream/2026-11-25T00:00:00.000"}


IN_PROGRESS = with_(TICKET, status="in_progress", version=2, changed_by="employee:demo-manager")
ASSIGNED = with_(IN_PROGRESS, assignee_id="demo-engineer", assignee_name="Пётр Инженеров", version=3)
DEADLINE = with_(ASSIGNED, deadline="2026-11-28T15:00:00+00:00", version=4)
DONE = with_(DEADLINE, status="done", version=5)
COMMENT = {"pk": "TICKET#1", "sk": "COMMENT#e1", "id": "e1", "ticket_id": 1, "author_kind": "employee",
           "author_id": "demo-engineer", "author_name": "Пётр Инженеров", "text": "Выезжаю к вам", "internal": False,
           "created_at": "2026-11-25T10:00:00+00:00"}

STREAM = [
    ("01-ticket-created-by-email", [record(1, "INSERT", new=TICKET)]),
    ("02-ticket-created-in-bot-vip", [record(2, "INSERT", new=with_(TICKET, pk="TICKET#2", id=2, source="messenger",
                                                                     changed_by="client:demo-anna"))]),
    ("03-status-changed", [record(3, "MODIFY", new=IN_PROGRESS, old=TICKET)]),
    ("04-assignee-set", [record(4, "MODIFY", new=ASSIGNED, old=IN_PROGRESS)]),
    ("05-deadline-set", [record(5, "MODIFY", new=DEADLINE, old=ASSIGNED)]),
    ("06-deadline-cleared", [record(6, "MODIFY", new=with_(DEADLINE, deadline=None, version=5), old=DEADLINE)]),
    ("07-completed", [record(7, "MODIFY", new=DONE, old=DEADLINE)]),
    ("08-several-fields-in-one-write", [record(8, "MODIFY", new=with_(TICKET, status="waiting", assignee_id="demo-engineer",
                                                                       assignee_name="Пётр Инженеров",
                                                                       deadline="2026-12-01T06:30:00+00:00", version=2), old=TICKET)]),
    ("09-public-staff-comment", [record(9, "INSERT", new=COMMENT)]),
    ("10-internal-staff-comment", [record(10, "INSERT", new=with_(COMMENT, sk="COMMENT#e2", id="e2", internal=True,
                                                                  text="Внутренняя заметка"))]),
    ("11-client-comment", [record(11, "INSERT", new=with_(COMMENT, sk="COMMENT#c21", id="c21", author_kind="client",
                                                           author_id="demo-anna", author_name="Анна Демидова",
                                                           text="Перезагрузка не помогла"))]),
    ("12-cancelled-by-client", [record(12, "MODIFY", new=with_(ASSIGNED, status="cancelled", version=4,
                                                                changed_by="client:demo-anna"), old=ASSIGNED)]),
    ("13-callback-request", [record(13, "INSERT", new={"pk": "CALLBACK#r27", "sk": "CALLBACK", "id": "r27",
                                                        "requester": "demo-anna", "requester_client": "demo",
                                                        "requested_at": "2026-11-25T11:00:00+00:00", "state": "new"})]),
    ("14-journal-and-attachment-only", [record(14, "INSERT", new={"pk": "TICKET#1", "sk": "LOG#2026-11-25T09:00:00.000Z#0",
                                                                   "at": "2026-11-25T09:00:00.000Z", "event": "created",
                                                                   "by": "api", "details": "source: email"}),
                                         record(15, "INSERT", new={"pk": "TICKET#1", "sk": "ATT#files/u/a.pdf", "name": "a.pdf",
                                                                   "content_type": "application/pdf", "size": 10,
                                                                   "key": "files/u/a.pdf"})]),
    ("15-ttl-expiry-removal", [record(16, "REMOVE", old={"pk": "UPD#1", "sk": "UPD", "expires_at": EPOCH})]),
]


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def main():
    for name, update in WEBHOOK:
        write(ROOT / "webhook" / f"{name}.json",
              http_event("POST", "/", update, {"x-telegram-bot-api-secret-token": SECRET}))
    write(ROOT / "webhook" / "90-wrong-secret.json",
          http_event("POST", "/", message(90, {"text": "/start"}), {"x-telegram-bot-api-secret-token": "wrong"}))
    write(ROOT / "webhook" / "91-not-an-update.json",
          http_event("POST", "/", "this is not JSON", {"x-telegram-bot-api-secret-token": SECRET}))
    for name, method, path, body, query in API:
        token = "wrong-token-000000000000" if name.endswith("wrong-token") else API_TOKEN
        headers = {"authorization": f"Bearer {token}"}
        if name.endswith("csv"):
            headers["content-type"] = "text/csv"
        write(ROOT / "api" / f"{name}.json", http_event(method, path, body, headers, query))
    for name, records in STREAM:
        write(ROOT / "stream" / f"{name}.json", {"Records": records})


if __name__ == "__main__":
    main()
