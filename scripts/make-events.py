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
ENGINEER_USER = 100502
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
    name = "Пётр" if user == ENGINEER_USER else "Анна"
    m = {"message_id": update_id, "date": EPOCH + update_id,
         "chat": {"id": user, "type": "private", "first_name": name},
         "from": {"id": user, "is_bot": False, "first_name": name, "language_code": "ru"}}
    m.update(content)
    return {"update_id": update_id, "message": m}


def press(update_id, data, user=USER):
    name = "Пётр" if user == ENGINEER_USER else "Анна"
    return {"update_id": update_id, "callback_query": {
        "id": f"sample-cb-{update_id}", "from": {"id": user, "is_bot": False, "first_name": name},
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


# The notice about ticket #1 the demo remembers in the engineer's chat (`e2e::seed_demo_notice`),
# as the notifier remembers each notice it sends: an employee's reply to it is a comment.
ENGINEER_NOTICE = 9001
# Ticket #1's version when the engineer opens its card (the buttons carry it: a press after the
# ticket changed is stale). tests/tests/events.rs fails if the story changes it.
TICKET_1_VERSION = 1


def engineer(update_id, content):
    return message(update_id, content, user=ENGINEER_USER)


def reply_to(quoted, message_id=1, chat=USER, **content):
    """A message replying to the bot's message `message_id` in `chat` that reads `quoted`."""
    return {"reply_to_message": {"message_id": message_id, "date": EPOCH,
                                 "chat": {"id": chat, "type": "private"},
                                 "from": {"id": 1, "is_bot": True, "first_name": "Поддержка"}, "text": quoted},
            **content}


def file(kind, file_id, name=None, mime=None, size=2048, **extra):
    f = {"file_id": file_id, "file_unique_id": f"{file_id}-u", "file_size": size, **extra}
    if name:
        f["file_name"] = name
    if mime:
        f["mime_type"] = mime
    return {kind: f}


# The bot's confirmation of ticket #1 (texts::TICKET_CREATED): a reply to it is a comment on #1.
CREATED_1 = "✔️ Ваше обращение зарегистрировано с номером #1.\n\nМы будем держать вас в курсе хода работы."

# The story of one client, then of the engineer who works the ticket, in the order a newcomer
# would play them (`make invoke` in turn, or tests/tests/events.rs): numbered as listed.
WEBHOOK = [
    # Registration.
    ("start", message(1, {"text": "/start"})),
    ("contact-someone-elses", message(2, {"contact": {"phone_number": "79001234567", "first_name": "Анна", "user_id": 42}})),
    ("contact-own-phone", message(3, {"contact": {"phone_number": "79001234567", "first_name": "Анна", "user_id": USER}})),
    # Tickets from text, photos, documents, albums.
    ("text-direct-creates-ticket", message(4, {"text": "Не работает почта: письма не уходят с утра, Outlook пишет ошибку 0x800CCC0E"})),
    ("menu-new-ticket", message(5, {"text": "➕ Новое обращение"})),
    ("photo-jpeg", message(6, photo("demo-photo", 1024, caption="Скриншот ошибки"))),
    ("text-direct-with-active-tickets", message(7, {"text": "И ещё: не открывается 1С"})),
    ("button-attach", press(8, "na:att")),
    ("button-attach-to-ticket-1", press(9, "att:1")),
    ("document", message(10, {"document": {"file_id": "demo-document", "file_unique_id": "demo-document-u",
                                           "file_name": "Счёт №15 за март.pdf", "mime_type": "application/pdf", "file_size": 2048},
                              "caption": "Счёт к оплате"})),
    ("button-new-request", press(11, "na:new")),
    ("album-part-1", message(12, photo("demo-album-1", 1024, album="demo-album"))),
    ("album-part-2-with-caption", message(13, photo("demo-album-2", 1024, caption="Фото стойки", album="demo-album"))),
    ("button-new-request-for-the-album", press(131, "na:new")),
    ("document-too-large", message(14, {"document": {"file_id": "demo-big", "file_unique_id": "demo-big-u",
                                                     "file_name": "backup.zip", "mime_type": "application/zip",
                                                     "file_size": 26214400}})),
    ("sticker", message(15, {"sticker": {"file_id": "s", "file_unique_id": "su", "type": "regular", "width": 512,
                                         "height": 512, "is_animated": False, "is_video": False}})),
    ("dice-refused", message(151, {"dice": {"emoji": "🎲", "value": 4}})),
    ("poll-refused", message(152, {"poll": {"id": "p", "question": "?", "options": [], "total_voter_count": 0,
                                            "is_closed": False, "is_anonymous": True, "type": "regular",
                                            "allows_multiple_answers": False}})),
    ("game-refused", message(153, {"game": {"title": "g", "description": "d", "photo": []}})),
    # The menu: status, comments, cancelling, questions, a call back.
    ("menu-status", message(16, {"text": "❓ Узнать статус обращения"})),
    ("button-status-card", press(17, "st:1")),
    ("button-next-page", press(18, "pg:st:1")),
    ("menu-comment", message(19, {"text": "💬 Добавить комментарий"})),
    ("button-comment-on-ticket-1", press(20, "cm:1")),
    ("comment-text", message(21, {"text": "Перезагрузка не помогла"})),
    ("menu-cancel", message(22, {"text": "🛑 Отменить обращение"})),
    ("button-cancel-ticket-2", press(23, "cx:2")),
    ("button-cancel-ticket-2-again", press(24, "cx:2")),
    ("menu-question-on-completed", message(25, {"text": "🧐 У меня вопрос по одной из уже выполненных задач"})),
    ("button-question-on-ticket-1", press(26, "qd:1")),
    ("menu-call-me", message(27, {"text": "😮 Я отправлял задачу, свяжетесь со мной пожалуйста и давайте разберёмся!"})),
    ("menu-call-me-already-standing", message(271, {"text": "😮 Я отправлял задачу, свяжетесь со мной пожалуйста и давайте разберёмся!"})),
    ("button-company-choice-stale", press(28, "co:demo-anna")),
    # Commands.
    ("command-help", message(281, {"text": "/help"})),
    ("command-menu", message(285, {"text": "/menu"})),
    ("command-company-one-company", message(286, {"text": "/company"})),
    ("command-unknown", message(282, {"text": "/settings"})),
    ("start-deep-link-ticket-1", message(287, {"text": "/start t1"})),
    ("command-language", message(288, {"text": "/language"})),
    ("button-language-english", press(289, "lg:en")),
    ("button-language-russian", press(290, "lg:ru")),
    # Conversation in place: a reply to the bot's message about #1 is a comment on #1, whatever it carries.
    ("reply-to-confirmation-is-comment", message(300, reply_to(CREATED_1, text="Письма так и не уходят"))),
    ("reply-location-is-comment", message(301, reply_to(CREATED_1, location={"latitude": 55.751244, "longitude": 37.618423}))),
    ("reply-venue-is-comment", message(302, reply_to(CREATED_1, location={"latitude": 55.7558, "longitude": 37.6173},
                                                     venue={"location": {"latitude": 55.7558, "longitude": 37.6173},
                                                            "title": "Офис на Тверской", "address": "Тверская ул., 1"}))),
    ("reply-contact-card-is-comment", message(303, reply_to(CREATED_1, contact={"phone_number": "79005554433",
                                                                               "first_name": "Иван", "last_name": "Петров"}))),
    ("reply-gif-is-comment", message(304, reply_to(CREATED_1, **file("animation", "demo-gif", "error.gif.mp4", "video/mp4",
                                                                     width=320, height=240, duration=3),
                                                   **file("document", "demo-gif", "error.gif.mp4", "video/mp4")))),
    ("reply-voice-is-comment", message(305, reply_to(CREATED_1, **file("voice", "demo-voice", mime="audio/ogg", duration=4)))),
    ("reply-audio-is-comment", message(306, reply_to(CREATED_1, **file("audio", "demo-audio", "call.mp3", "audio/mpeg", duration=30)))),
    ("reply-video-is-comment", message(307, reply_to(CREATED_1, caption="Так мигает индикатор",
                                                     **file("video", "demo-video", "blink.mp4", "video/mp4",
                                                            width=640, height=360, duration=5)))),
    ("reply-video-note-is-comment", message(308, reply_to(CREATED_1, **file("video_note", "demo-video-note", length=240, duration=5)))),
    # An edit of the message that made #1, long after it was sent (edits count within 48 hours).
    ("edited-message-too-late", {"update_id": 309, "edited_message": {
        "message_id": 4, "date": EPOCH + 4, "edit_date": EPOCH + 400000,
        "chat": {"id": USER, "type": "private", "first_name": "Анна"},
        "from": {"id": USER, "is_bot": False, "first_name": "Анна", "language_code": "ru"},
        "text": "Не работает почта: письма не уходят с утра, Outlook пишет ошибку 0x800CCC0F"}}),
    # The engineer: registers by his phone, takes #1 from its card, answers, finishes it.
    ("engineer-start", engineer(400, {"text": "/start"})),
    ("engineer-contact-own-phone", engineer(401, {"contact": {"phone_number": "79000000002", "first_name": "Пётр",
                                                              "user_id": ENGINEER_USER}})),
    ("engineer-help", engineer(402, {"text": "/help"})),
    ("engineer-command-tickets-none-yet", engineer(403, {"text": "/tickets"})),
    ("engineer-button-card-ticket-1", press(404, "cd:1", user=ENGINEER_USER)),
    ("engineer-button-take-ticket-1", press(405, f"sf:take:1:{TICKET_1_VERSION}", user=ENGINEER_USER)),
    ("engineer-command-tickets", engineer(406, {"text": "/tickets"})),
    ("engineer-button-assigned-ticket-1", press(407, "as:1", user=ENGINEER_USER)),
    ("engineer-button-next-page-of-assigned", press(408, "pg:as:1", user=ENGINEER_USER)),
    ("engineer-reply-to-notice-is-comment", engineer(409, reply_to("📋 Обращение #1", ENGINEER_NOTICE, ENGINEER_USER,
                                                                   text="Проверьте, пожалуйста, сейчас"))),
    ("engineer-reply-with-exclamation-is-note", engineer(410, reply_to("📋 Обращение #1", ENGINEER_NOTICE, ENGINEER_USER,
                                                                       text="!клиент путает пароли"))),
    ("engineer-button-done-ticket-1", press(411, f"sf:done:1:{TICKET_1_VERSION + 1}", user=ENGINEER_USER)),
    ("engineer-button-start-stale", press(412, f"sf:start:1:{TICKET_1_VERSION}", user=ENGINEER_USER)),
    # The client rates the work, then leaves.
    ("button-rate-ticket-1", press(500, "rt:1:5")),
    ("command-unlink", message(501, {"text": "/unlink"})),
    ("button-unlink-no", press(502, "ul:no")),
    ("command-unlink-again", message(503, {"text": "/unlink"})),
    ("button-unlink-yes", press(504, "ul:yes")),
    # Shapes and kinds at the edges.
    # The shape of the samples in Telegram's webhook guide: no is_bot, no chat type.
    ("webhook-guide-start", {"update_id": 283, "message": {
        "date": EPOCH, "message_id": 1365, "text": "/start",
        "chat": {"last_name": "Test Lastname", "id": USER, "first_name": "Test", "username": "Test"},
        "from": {"last_name": "Test Lastname", "id": USER, "first_name": "Test", "username": "Test"}}}),
    ("message-without-sender", {"update_id": 284, "message": {
        "date": EPOCH, "message_id": 284, "text": "кто я?", "chat": {"id": USER, "type": "private"}}}),
    ("blocked-the-bot", {"update_id": 29, "my_chat_member": {
        "chat": {"id": USER, "type": "private", "first_name": "Анна"},
        "from": {"id": USER, "is_bot": False, "first_name": "Анна"}, "date": EPOCH,
        "old_chat_member": {"status": "member", "user": {"id": 1, "is_bot": True, "first_name": "bot"}},
        "new_chat_member": {"status": "kicked", "until_date": 0, "user": {"id": 1, "is_bot": True, "first_name": "bot"}}}}),
    ("unknown-update-kind", {"update_id": 30, "some_future_update": {"x": 1}}),
]

# The staff API, in the order a desk sets up and works (numbered as listed; the request with a
# wrong token last). The ticket and comment ids are the ones a fresh demo stack gives.
API = [
    ("put-employee", "PUT", "/employees/demo-engineer", {"name": "Пётр Инженеров", "phone": "+7 900 000-00-02"}, ""),
    ("put-client", "PUT", "/clients/demo", {"name": "ООО «Демо»", "manager_id": "demo-manager", "vip": True}, ""),
    ("put-contact", "PUT", "/contacts/demo-boris", {"name": "Борис Демидов", "phone": "8 (900) 765-43-21", "client_id": "demo"}, ""),
    ("get-contact", "GET", "/contacts/demo-anna", None, ""),
    ("get-client", "GET", "/clients/demo", None, ""),
    ("get-employee", "GET", "/employees/demo-manager", None, ""),
    ("import-contacts-csv", "POST", "/import/contacts",
     "id,name,phone,client_id,active\ndemo-vera,Вера,+7 900 111-22-33,demo,true\ndemo-bad,Ошибка,12,demo,\n", ""),
    ("post-ticket", "POST", "/tickets", {"contact_id": "demo-anna", "subject": "Звонок: не печатает принтер",
                                         "message": "Клиент позвонил в 10:05", "source": "phone",
                                         "assignee_id": "demo-engineer", "deadline": "2026-11-28T15:00:00Z"}, ""),
    ("get-ticket-1", "GET", "/tickets/1", None, ""),
    ("list-tickets-of-contact", "GET", "/tickets", None, "contact_id=demo-anna&status=new"),
    ("patch-ticket-1", "PATCH", "/tickets/1", {"status": "in_progress", "assignee_id": "demo-engineer",
                                               "deadline": "2026-11-30T12:00:00+03:00", "by": "demo-manager"}, ""),
    ("post-public-comment", "POST", "/tickets/1/comments", {"author_id": "demo-engineer", "text": "Выезжаю к вам", "internal": False}, ""),
    ("post-internal-comment", "POST", "/tickets/1/comments", {"author_id": "demo-engineer", "text": "Клиент просил не звонить до обеда", "internal": True}, ""),
    # A file for the client: the API hands out a presigned S3 PUT; its upload_id then goes into a
    # comment's `attachments` once the file is there.
    ("post-upload", "POST", "/uploads", {"name": "Акт №17.pdf", "content_type": "application/pdf", "size": 48213}, ""),
    ("get-callback-requests", "GET", "/callback-requests", None, ""),
    # The request the client's «😮 …» made (update 27 of the webhook story: its id is r27).
    ("close-callback-request", "PATCH", "/callback-requests/r27", {"state": "done", "by": "demo-manager"}, ""),
    ("get-ratings-summary", "GET", "/ratings/summary", None, "from=2026-11-01&to=2027-01-01"),
    ("deactivate-contact", "PUT", "/contacts/demo-vera", {"name": "Вера", "phone": "+7 900 111-22-33", "client_id": "demo", "active": False}, ""),
    ("wrong-token", "GET", "/clients/demo", None, ""),
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

def files(*stored):
    """The `files` attribute of a comment or attachment item: the files as stored, as JSON."""
    return json.dumps([{"name": name, "content_type": content_type, "size": 1024, "key": f"files/demo/{key}",
                        "telegram": {"file_id": file_id, "kind": kind, "name": name}}
                       for name, content_type, key, file_id, kind in stored], ensure_ascii=False)


# A staff comment's photo and document, as an employee's reply in Telegram stores them.
FILES = files(("схема.jpg", "image/jpeg", "e3-1.jpg", "demo-photo", "photo"),
              ("Акт №17.pdf", "application/pdf", "e3-act.pdf", "demo-document", "document"))
# A later photo of an album, stored with its own item.
PART_FILES = files(("стойка-2.jpg", "image/jpeg", "t1-2.jpg", "demo-album-2", "photo"))

STREAM = [
    ("ticket-created-by-email", [record(1, "INSERT", new=TICKET)]),
    ("ticket-created-in-bot-vip", [record(2, "INSERT", new=with_(TICKET, pk="TICKET#2", id=2, source="messenger",
                                                                     changed_by="client:demo-anna"))]),
    ("status-changed", [record(3, "MODIFY", new=IN_PROGRESS, old=TICKET)]),
    ("assignee-set", [record(4, "MODIFY", new=ASSIGNED, old=IN_PROGRESS)]),
    ("deadline-set", [record(5, "MODIFY", new=DEADLINE, old=ASSIGNED)]),
    ("deadline-cleared", [record(6, "MODIFY", new=with_(DEADLINE, deadline=None, version=5), old=DEADLINE)]),
    ("completed", [record(7, "MODIFY", new=DONE, old=DEADLINE)]),
    ("several-fields-in-one-write", [record(8, "MODIFY", new=with_(TICKET, status="waiting", assignee_id="demo-engineer",
                                                                       assignee_name="Пётр Инженеров",
                                                                       deadline="2026-12-01T06:30:00+00:00", version=2), old=TICKET)]),
    ("public-staff-comment", [record(9, "INSERT", new=COMMENT)]),
    ("internal-staff-comment", [record(10, "INSERT", new=with_(COMMENT, sk="COMMENT#e2", id="e2", internal=True,
                                                                  text="Внутренняя заметка"))]),
    ("client-comment", [record(11, "INSERT", new=with_(COMMENT, sk="COMMENT#c21", id="c21", author_kind="client",
                                                           author_id="demo-anna", author_name="Анна Демидова",
                                                           text="Перезагрузка не помогла"))]),
    ("cancelled-by-client", [record(12, "MODIFY", new=with_(ASSIGNED, status="cancelled", version=4,
                                                                changed_by="client:demo-anna"), old=ASSIGNED)]),
    ("callback-request", [record(13, "INSERT", new={"pk": "CALLBACK#r27", "sk": "CALLBACK", "id": "r27",
                                                        "requester": "demo-anna", "requester_client": "demo",
                                                        "requested_at": "2026-11-25T11:00:00+00:00", "state": "new"})]),
    ("public-staff-comment-with-files", [record(17, "INSERT", new=with_(COMMENT, sk="COMMENT#e3", id="e3",
                                                                        text="Схема подключения и акт", files=FILES))]),
    # The second photo of the album a ticket was made of: it follows the ticket's notices.
    ("album-part-files-added", [record(18, "INSERT", new={"pk": "TICKET#1", "sk": "ATT#files/demo/t1-2.jpg",
                                                          "name": "стойка-2.jpg", "content_type": "image/jpeg",
                                                          "size": 1024, "key": "files/demo/t1-2.jpg",
                                                          "files": PART_FILES})]),
    ("low-rating", [record(19, "MODIFY", new=with_(DONE, version=6, rating_score=2, rating_at="2026-11-26T10:00:00+00:00",
                                                   low_score_told="2026-11-26T10:00:00+00:00",
                                                   changed_by="client:demo-anna"), old=DONE)]),
    ("journal-and-attachment-only", [record(14, "INSERT", new={"pk": "TICKET#1", "sk": "LOG#2026-11-25T09:00:00.000Z#0",
                                                                   "at": "2026-11-25T09:00:00.000Z", "event": "created",
                                                                   "by": "api", "details": "source: email"}),
                                         record(15, "INSERT", new={"pk": "TICKET#1", "sk": "ATT#files/u/a.pdf", "name": "a.pdf",
                                                                   "content_type": "application/pdf", "size": 10,
                                                                   "key": "files/u/a.pdf"})]),
    ("ttl-expiry-removal", [record(16, "REMOVE", old={"pk": "UPD#1", "sk": "UPD", "expires_at": EPOCH})]),
]


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def numbered(listed):
    """The events as listed, each named `NN-<name>` by its place (below 90: the two requests
    that are no update at all keep 90 and 91, and two digits keep the files in story order)."""
    assert len(listed) < 90, "more events than two digits number before 90"
    return [(f"{n:02d}-{name}", *rest) for n, (name, *rest) in enumerate(listed, start=1)]


def main():
    for kind in ("webhook", "api", "stream"):
        for old in (ROOT / kind).glob("*.json"):
            old.unlink()
    for name, update in numbered(WEBHOOK):
        write(ROOT / "webhook" / f"{name}.json",
              http_event("POST", "/", update, {"x-telegram-bot-api-secret-token": SECRET}))
    write(ROOT / "webhook" / "90-wrong-secret.json",
          http_event("POST", "/", message(90, {"text": "/start"}), {"x-telegram-bot-api-secret-token": "wrong"}))
    write(ROOT / "webhook" / "91-not-an-update.json",
          http_event("POST", "/", "this is not JSON", {"x-telegram-bot-api-secret-token": SECRET}))
    for name, method, path, body, query in numbered(API):
        token = "wrong-token-000000000000" if name.endswith("wrong-token") else API_TOKEN
        headers = {"authorization": f"Bearer {token}"}
        if name.endswith("csv"):
            headers["content-type"] = "text/csv"
        write(ROOT / "api" / f"{name}.json", http_event(method, path, body, headers, query))
    for name, records in numbered(STREAM):
        write(ROOT / "stream" / f"{name}.json", {"Records": records})


if __name__ == "__main__":
    main()
