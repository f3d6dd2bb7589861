#!/usr/bin/python3
"""Deterministic sample mail for tern's tests and demo.

generate(seed=1, now=None) builds a few hundred realistic RFC 5322 messages
(CRLF line endings) with the stdlib email package and returns them as a list
of (user, folder, raw_bytes, flags, internaldate) tuples, sorted by user,
folder and date.  The same seed and now always give byte-identical output.
now defaults to DEFAULT_NOW (a fixed date) so tests are reproducible; the
demo passes the current time so its mail looks recent.

What is in it:
  * alice: INBOX (~200), Archive, Sent (her replies and new threads), Drafts
    (2, one a reply in progress), Trash, Junk, Lists/dev and Lists/announce
    (mailing lists with List-Id etc.);
  * support (the team mailbox, shared with alice and bob): ~60 messages of
    customers writing in, some threads with our replies (Cc support), the
    newest few unread and unanswered;
  * threads with Message-ID / In-Reply-To / References chains that cross
    folders (INBOX, Archive, Sent, lists), quoting the previous message;
  * text/plain, multipart/alternative (text + HTML), HTML-only, attachments
    (a PNG and a PDF generated here, .txt, .ics invitations, an RFC 2231
    non-ASCII file name), quoted-printable, base64, 8bit and 7bit bodies;
  * names and subjects from many countries, RFC 2047 encoded words in
    UTF-8, ISO-8859-1, ISO-8859-2, KOI8-R, ISO-2022-JP, Shift_JIS and
    GB2312, with bodies in those charsets;
  * auto-replies (Auto-Submitted: auto-replied), CI notifications, spam;
  * dates over ~2 years in the senders' time zones, INTERNALDATE equal to
    the Date header, flags: most read, some \\Flagged, \\Answered where
    alice (or the team) replied, recent ones unread.

fill(servers, seed=1, now=None) APPENDs everything over IMAP (one
connection per user) and returns {(user, folder): count}.  \\Seen is private
per user in the shared namespace, so fill() also marks the team INBOX
messages the owner has read as read for alice and bob.

Run it to print a summary, or "samplemail.py --mbox FILE" to write an mbox.
"""

import base64
import datetime
import email.header
import email.utils
import html
import quopri
import random
import struct
import sys
import zlib
from email import encoders
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.policy import compat32

UTC = datetime.timezone.utc
TEAM_OWNER = "support"            # owner of the shared team INBOX
TEAM_MEMBERS = ("alice", "bob")   # who see it as Shared/support/INBOX
DEFAULT_NOW = datetime.datetime(2024, 11, 15, 9, 30, tzinfo=UTC)
# Headers are folded here (fold()), not by the generator.
POLICY = compat32.clone(linesep="\r\n", max_line_length=None)

# MIME charset name -> Python codec
CODECS = {"us-ascii": "ascii", "utf-8": "utf-8", "iso-8859-1": "latin-1",
          "iso-8859-2": "iso8859_2", "koi8-r": "koi8_r", "iso-2022-jp": "iso2022_jp",
          "shift_jis": "shift_jis", "gb2312": "gb2312"}
LABELS = {"us-ascii": "us-ascii", "utf-8": "UTF-8", "iso-8859-1": "ISO-8859-1",
          "iso-8859-2": "ISO-8859-2", "koi8-r": "KOI8-R", "iso-2022-jp": "ISO-2022-JP",
          "shift_jis": "Shift_JIS", "gb2312": "GB2312"}


# --------------------------------------------------------------------------
# people

class Person:
    def __init__(self, name, addr, charset="utf-8", tz=0, lang="en", title=None):
        self.name, self.addr, self.charset = name, addr, charset
        self.tz = datetime.timezone(datetime.timedelta(minutes=tz))
        self.lang, self.title = lang, title

    @property
    def first(self):
        if self.lang in ("ja", "ja2", "zh", "ko"):
            return self.name
        return self.name.split()[0]


ALICE = Person("Alice Demo", "alice@example.org", "utf-8", 60, "en", "Software Engineer")
BOB = Person("Bob Demo", "bob@example.org", "utf-8", 60, "en", "Support Engineer")
SUPPORT = Person("Example Support", "support@example.org", "utf-8", 60, "en")

COLLEAGUES = [
    Person("Jürgen Müller", "juergen.mueller@example.org", "iso-8859-1", 60, "de", "Team Lead"),
    Person("Françoise Lefèvre", "francoise.lefevre@example.org", "iso-8859-1", 60, "fr",
           "Product Manager"),
    Person("Łukasz Wiśniewski", "lukasz.wisniewski@example.org", "iso-8859-2", 60, "pl",
           "Backend Developer"),
    Person("Priya Sharma", "priya.sharma@example.org", "utf-8", 330, "en", "QA Engineer"),
    Person("Chinedu Okafor", "chinedu.okafor@example.org", "utf-8", 60, "en", "SRE"),
    Person("Sofía Hernández", "sofia.hernandez@example.org", "utf-8", -360, "en", "Designer"),
    Person("Wanjiru Kamau", "wanjiru.kamau@example.org", "utf-8", 180, "en",
           "Backend Developer"),
    Person("Siobhán O'Brien", "siobhan.obrien@example.org", "utf-8", 0, "en",
           "Technical Writer"),
    Person("Arjun Mehta", "arjun.mehta@example.org", "utf-8", 330, "en", "Engineering Manager"),
]
EXTERNAL = [
    Person("Дмитрий Иванов", "dmitry.ivanov@example.ru", "koi8-r", 180, "ru"),
    Person("山田 太郎", "taro.yamada@example.jp", "iso-2022-jp", 540, "ja"),
    Person("佐藤 花子", "hanako.sato@example.co.jp", "shift_jis", 540, "ja2"),
    Person("王伟", "wang.wei@example.cn", "gb2312", 480, "zh"),
    Person("Tomáš Dvořák", "tomas.dvorak@example.cz", "iso-8859-2", 60, "cs"),
    Person("Νίκος Παπαδόπουλος", "nikos.papadopoulos@example.gr", "utf-8", 120, "el"),
    Person("João Silva", "joao.silva@example.com.br", "iso-8859-1", -180, "pt"),
    Person("Åsa Lindström", "asa.lindstrom@example.se", "iso-8859-1", 60, "sv"),
    Person("Ayşe Yılmaz", "ayse.yilmaz@example.com.tr", "utf-8", 180, "tr"),
    Person("김민준", "minjun.kim@example.kr", "utf-8", 540, "ko"),
    Person("Nguyễn Văn An", "an.nguyen@example.vn", "utf-8", 420, "vi"),
    Person("عمر حسن", "omar.hassan@example.eg", "utf-8", 120, "ar"),
    Person("Guðrún Jónsdóttir", "gudrun.jonsdottir@example.is", "iso-8859-1", 0, "is"),
    Person("Emily Chen", "emily.chen@example.com", "us-ascii", -480, "en"),
    Person("Liam Murphy", "liam.murphy@example.net", "us-ascii", -300, "en"),
    Person("Olivia Brown", "olivia.brown@example.co.uk", "us-ascii", 0, "en"),
]
CUSTOMERS = [
    Person("Hans Becker", "h.becker@nordwind.example", "iso-8859-1", 60, "de"),
    Person("Marie Dubois", "marie.dubois@boulangerie.example", "iso-8859-1", 60, "fr"),
    Person("Kenji Watanabe", "kenji@watanabe-shoji.example", "iso-2022-jp", 540, "en"),
    Person("Ana Pereira", "ana.pereira@loja.example", "utf-8", -180, "en"),
    Person("Michael Johnson", "mjohnson@acme.example", "us-ascii", -300, "en"),
    Person("Fatima Zahra", "fatima.zahra@atlas.example", "utf-8", 60, "en"),
    Person("Ольга Смирнова", "olga.smirnova@sibir.example", "koi8-r", 420, "en"),
    Person("Piotr Zieliński", "piotr@zielinski.example", "iso-8859-2", 60, "en"),
    Person("李娜", "li.na@huanan.example", "gb2312", 480, "en"),
    Person("Sarah Williams", "sarah@williams-law.example", "us-ascii", 600, "en"),
    Person("Carlos Ruiz", "carlos.ruiz@ruiz-sa.example", "utf-8", 60, "en"),
    Person("Ingrid Hansen", "ingrid.hansen@fjord.example", "iso-8859-1", 60, "en"),
    Person("Tunde Adeyemi", "tunde@lagosfoods.example", "us-ascii", 60, "en"),
    Person("Mehmet Demir", "mehmet.demir@anadolu.example", "utf-8", 180, "en"),
]

# --------------------------------------------------------------------------
# texts

WORK_TOPICS = [
    ("Release 2.4 planning",
     ["I put together a first list of what should go into 2.4. The big items are "
      "the new sync engine and the threaded view; everything else is small fixes.",
      "Could you go through the list and mark what you think is realistic for the "
      "end of the month?"],
     ["The sync engine is fine for 2.4, the threaded view probably not.",
      "I moved two items to 2.5, see the updated list.",
      "Agreed. Let's freeze on the 20th."]),
    ("Flaky test in the IMAP sync suite",
     ["test_sync_after_expunge failed three times this week on the CI runner, "
      "always with a timeout. It never fails locally.",
      "I suspect the server is slower there and we wait on IDLE too briefly."],
     ["I can reproduce it with the network delay script, will look tomorrow.",
      "Raising the timeout hides it; the real issue is that we don't wait for the "
      "tagged response before checking.",
      "Fix is in review now."]),
    ("Code review: folder cache rewrite",
     ["The folder cache rewrite is ready for review. The diff is large but most of "
      "it is moving code; the interesting part is the invalidation on UIDVALIDITY "
      "changes.",
      "Please have a look when you have an hour."],
     ["Left a few comments, mostly naming.",
      "The invalidation logic looks right to me. One question about the locking.",
      "Approved, nice work."]),
    ("Q3 offsite: travel details",
     ["The offsite will be in Lisbon from the 12th to the 14th. Flights are booked "
      "through the usual agency; hotel details are in the shared calendar.",
      "Please tell me about any dietary requirements by Friday."],
     ["Thanks! I'm vegetarian.",
      "Is there a plan for the evening of the 13th?",
      "Booked, see you there."]),
    ("Customer escalation: Nordwind GmbH",
     ["Nordwind reported that some messages are shown twice after they move them "
      "between folders on two devices at the same time.",
      "They are a big customer, so I'd like a first analysis by tomorrow."],
     ["Looks like we don't handle COPYUID in one code path. Investigating.",
      "Confirmed, it is the fallback path for servers without MOVE.",
      "Patch attached to the ticket; the customer confirmed the fix."]),
    ("Laptop refresh",
     ["Your laptop is due for a refresh. Please pick a model from the list on the "
      "intranet page and reply with your choice.",
      "The old one has to be returned within two weeks."],
     ["I'll take the 14 inch model, thanks.",
      "Can I keep the old docking station?",
      "The new one arrived, thank you!"]),
    ("Draft of the conference talk",
     ["Here is the first draft of our talk about offline-first mail clients. It is "
      "about 35 minutes at a relaxed pace.",
      "I'd appreciate feedback on the structure before I polish the slides."],
     ["The middle part about conflict resolution could be shorter.",
      "Great draft. Maybe add a live demo at the end?",
      "Rehearsal on Thursday works for me."]),
    ("On-call rotation for December",
     ["Here is the proposed on-call rotation for December. I tried to respect "
      "everyone's holiday wishes.",
      "Swaps are fine, just tell me and update the calendar."],
     ["Could I swap the 23rd with someone?",
      "I can take the 23rd.",
      "Looks good to me."]),
    ("Security update for the mail gateway",
     ["A security update for the mail gateway is out. We should roll it out this "
      "week; the issue is not critical for our setup but it is public now.",
      "Maintenance window proposal: Wednesday 22:00 UTC."],
     ["Wednesday works. I'll prepare the rollback plan.",
      "Update done, all checks green.",
      "Thanks for the quick turnaround."]),
    ("Lunch on Friday?",
     ["Anyone up for lunch on Friday? The new Ethiopian place around the corner "
      "opened last week."],
     ["Count me in!",
      "12:30?",
      "I booked a table for five."]),
    ("Budget for 2025",
     ["Finance needs our budget estimate for next year. Please send me your numbers "
      "for travel, training and hardware by the end of next week.",
      "Use the spreadsheet template in the shared drive."],
     ["Numbers are in the spreadsheet.",
      "Training is higher than last year because of the two conferences.",
      "Thanks, I'll consolidate and send it on."]),
    ("Interview feedback: backend candidate",
     ["Thanks for joining the interview yesterday. Please write down your feedback "
      "in the form before Thursday so we can decide quickly."],
     ["Strong on fundamentals, a bit weak on testing. Leaning yes.",
      "Same impression here. Yes from me.",
      "We made an offer; she accepted!"]),
    ("Documentation for the new search syntax",
     ["I started the documentation for the new search syntax. I'm not sure how to "
      "explain the difference between 'from:' and 'sender:' in a simple way.",
      "Could you check the examples section?"],
     ["The examples look right. Maybe add one with a date range.",
      "'sender:' matches the Sender header only, I'd say exactly that.",
      "Published, thanks for the help."]),
    ("Performance regression in 2.3.1",
     ["Opening a folder with 50,000 messages takes four seconds in 2.3.1, compared "
      "to under one second in 2.3.0.",
      "Profiling points at the header cache."],
     ["Found it: we re-parse the cached headers on every redraw.",
      "The fix brings it back to 0.8 seconds.",
      "Shipping in 2.3.2 tomorrow."]),
    ("Welcome to the team, Wanjiru!",
     ["Please join me in welcoming Wanjiru, who starts on the backend team today. "
      "She joins us from Nairobi and will work on the sync engine.",
      "Say hello when you see her in the chat."],
     ["Welcome, Wanjiru!",
      "Welcome aboard! Ping me if you need anything.",
      "Thank you all for the warm welcome!"]),
    ("Migration to the new build servers",
     ["We are moving CI to the new build servers next Monday. Builds will be "
      "paused for about two hours in the morning.",
      "If you have long-running jobs, please plan around it."],
     ["Will the caches be migrated too?",
      "Caches start empty, the first builds will be slow.",
      "Migration finished, everything is running on the new machines."]),
    ("Question about the API rate limits",
     ["We are integrating with your API and hit the rate limit quite quickly when "
      "synchronising large accounts.",
      "Is there a way to raise the limit for a batch import?"],
     ["We can raise it temporarily for the import. How many requests per minute "
      "do you need?",
      "About 600 per minute for two days would be enough.",
      "Done, the higher limit is active until Sunday."]),
    ("Design review: threading view",
     ["Attached are the mockups for the threading view. The main question is "
      "whether collapsed threads should show the newest or the oldest subject."],
     ["Newest, I think. That's what changes.",
      "I'd show the oldest subject but the newest date.",
      "Let's test both with a few users."]),
    ("Bug 4412: crash when folder name contains a slash",
     ["Bug 4412: the client crashes when a folder name contains the hierarchy "
      "separator of another server, e.g. 'Projects/2024' on a server using '.'.",
      "Backtrace attached."],
     ["We assume the separator is the same for all namespaces. Fixing.",
      "The fix needs a test with a shared namespace.",
      "Fixed in main."]),
    ("Onboarding checklist",
     ["I updated the onboarding checklist with the new VPN steps. Could you try "
      "it on a fresh account and tell me if anything is missing?"],
     ["Step 4 needs the new server name.",
      "Everything else worked fine.",
      "Updated, thanks!"]),
]

NATIVE = {
    "de": (["Besprechung am Donnerstag", "Grüße aus München und eine Frage zur Übersetzung"],
           ["Hallo Alice,\n\nkönnen wir die Besprechung auf Donnerstag um 14 Uhr "
            "verschieben? Ich muss am Mittwoch zum Zahnarzt.\n\nViele Grüße\nJürgen",
            "Hallo Alice,\n\nich habe die deutsche Übersetzung der Oberfläche fast "
            "fertig. Bei ein paar Begriffen bin ich unsicher, z. B. »Postfach« oder "
            "»Ordner«. Was meinst du?\n\nViele Grüße aus München\nJürgen"],
           ["Danke, passt mir gut.", "Alles klar, bis dann!"]),
    "fr": (["Réunion d'équipe : ordre du jour", "Fermeture du bureau à Pâques"],
           ["Bonjour Alice,\n\nvoici l'ordre du jour de la réunion de vendredi :\n"
            "- état des lieux du projet\n- préparation de la démo\n- questions "
            "diverses\n\nBonne journée,\nFrançoise",
            "Bonjour à tous,\n\nle bureau sera fermé le lundi de Pâques. Pensez à "
            "prévenir vos clients.\n\nMerci et à bientôt,\nFrançoise"],
           ["Merci beaucoup !", "C'est noté, à vendredi."]),
    "pl": (["Spotkanie w przyszłym tygodniu", "Zażółć gęślą jaźń - test kodowania"],
           ["Cześć Alice,\n\nczy możemy się spotkać w przyszłym tygodniu, żeby omówić "
            "nowy moduł synchronizacji? Pasuje mi wtorek albo środa po południu.\n\n"
            "Pozdrawiam,\nŁukasz",
            "Cześć,\n\nto tylko test polskich znaków: ąćęłńóśźż ĄĆĘŁŃÓŚŹŻ. Czy "
            "wszystko wyświetla się poprawnie?\n\nŁukasz"],
           ["Dzięki, pasuje!", "Świetnie, do zobaczenia."]),
    "cs": (["Žádost o přístup k serveru", "Příliš žluťoučký kůň úpěl ďábelské ódy"],
           ["Ahoj Alice,\n\nmohla bys mi prosím dát přístup k testovacímu serveru? "
            "Potřebuji ověřit opravu chyby s kódováním příloh.\n\nDíky,\nTomáš",
            "Ahoj,\n\npříliš žluťoučký kůň úpěl ďábelské ódy. Zobrazuje se ti to "
            "správně?\n\nTomáš"],
           ["Díky moc!", "Funguje to, díky."]),
    "ru": (["Отчёт за квартал", "Встреча в пятницу"],
           ["Привет, Алиса!\n\nОтправляю отчёт за третий квартал. Посмотри, "
            "пожалуйста, раздел о производительности, там есть вопросы.\n\n"
            "С уважением,\nДмитрий",
            "Алиса, привет!\n\nДавай встретимся в пятницу в десять утра и обсудим "
            "план на следующий месяц.\n\nДмитрий"],
           ["Спасибо!", "Хорошо, договорились."]),
    "ja": (["会議の議事録", "来週の打ち合わせについて"],
           ["アリスさん\n\nお疲れ様です。山田です。\n昨日の会議の議事録を送ります。"
            "ご確認ください。\n\nよろしくお願いします。\n山田",
            "アリスさん\n\n来週の打ち合わせは火曜日の午後三時からでいかがでしょうか。"
            "\n\n山田"],
           ["ありがとうございます。", "承知しました。"]),
    "ja2": (["新しいバージョンのテスト結果", "東京オフィスの住所変更"],
            ["アリスさん\n\n佐藤です。\n新しいバージョンのテストが終わりました。"
             "大きな問題はありませんでした。\n詳しい結果は添付ファイルをご覧ください。"
             "\n\n佐藤 花子",
             "皆様\n\n東京オフィスは来月から新しい住所に移転します。\n"
             "よろしくお願いいたします。\n\n佐藤 花子"],
            ["ありがとうございました。", "了解です。"]),
    "zh": (["项目进度更新", "周五聚餐"],
           ["Alice，你好！\n\n这是本周的项目进度更新。新的同步功能已经完成了百分之八十，"
            "下周可以开始测试。\n\n祝好，\n王伟",
            "大家好，\n\n这个周五晚上我们一起去吃饭吧，地点在公司附近的饭店。\n\n王伟"],
           ["谢谢！", "好的，没问题。"]),
    "el": (["Συνάντηση την Τρίτη", "Ευχαριστώ για τη βοήθεια"],
           ["Γεια σου Alice,\n\nΜπορούμε να συναντηθούμε την Τρίτη το πρωί για να "
            "συζητήσουμε την παρουσίαση;\n\nΦιλικά,\nΝίκος",
            "Γεια σου Alice,\n\nΕυχαριστώ πολύ για τη βοήθεια με τη ρύθμιση του "
            "διακομιστή.\n\nΝίκος"],
           ["Τέλεια, ευχαριστώ!", "Εντάξει, τα λέμε."]),
    "pt": (["Orçamento do projeto", "Parabéns pelo lançamento!"],
           ["Olá Alice,\n\nsegue em anexo o orçamento revisado do projeto. As "
            "alterações estão na segunda página.\n\nAbraços,\nJoão",
            "Olá Alice,\n\nparabéns pelo lançamento da nova versão! Ficou ótima.\n\n"
            "Abraços,\nJoão"],
           ["Obrigado!", "Combinado, até logo."]),
    "sv": (["Fika på fredag?", "Semester i juli"],
           ["Hej Alice!\n\nSka vi ta en fika på fredag eftermiddag? Jag bjuder på "
            "kanelbullar.\n\nHälsningar,\nÅsa",
            "Hej!\n\nJag är på semester hela juli. Hör av dig om något är "
            "brådskande innan dess.\n\nÅsa"],
           ["Tack!", "Låter bra, vi ses."]),
    "tr": (["Toplantı notları", "Yeni ofis hakkında"],
           ["Merhaba Alice,\n\nDünkü toplantının notlarını ekte bulabilirsin. Bir "
            "sonraki adımları perşembe günü konuşalım.\n\nİyi çalışmalar,\nAyşe",
            "Merhaba,\n\nYeni ofisimiz İstanbul'da, Kadıköy'de olacak. Taşınma "
            "tarihi henüz belli değil.\n\nAyşe"],
           ["Teşekkürler!", "Tamam, görüşürüz."]),
    "ko": (["회의 일정", "자료 공유"],
           ["안녕하세요 Alice 님,\n\n다음 주 회의 일정을 알려 드립니다. 화요일 오전 "
            "10시에 온라인으로 진행합니다.\n\n감사합니다.\n김민준",
            "안녕하세요,\n\n지난번에 말씀하신 자료를 공유합니다.\n\n김민준"],
           ["감사합니다!", "네, 알겠습니다."]),
    "vi": (["Cập nhật dự án", "Hẹn gặp ở Hà Nội"],
           ["Chào Alice,\n\nMình gửi bạn bản cập nhật dự án tuần này. Phần giao diện "
            "mới đã xong, còn phần kiểm thử thì cần thêm vài ngày.\n\nThân,\nAn",
            "Chào Alice,\n\nKhi nào bạn sang Hà Nội thì báo mình nhé, mình sẽ dẫn "
            "bạn đi ăn phở.\n\nAn"],
           ["Cảm ơn bạn!", "Được, hẹn gặp lại."]),
    "ar": (["تحديث المشروع", "موعد الاجتماع"],
           ["مرحبا Alice،\n\nأرسل لك آخر تحديث للمشروع. سنبدأ الاختبار الأسبوع "
            "القادم.\n\nمع أطيب التحيات،\nعمر",
            "مرحبا،\n\nهل يناسبك الاجتماع يوم الأحد في الساعة العاشرة؟\n\nعمر"],
           ["شكرا جزيلا!", "حسنا، إلى اللقاء."]),
    "is": (["Ferðalag til Reykjavíkur", "Myndir frá ferðinni"],
           ["Hæ Alice,\n\nég hlakka til að sjá þig í Reykjavík í næsta mánuði. "
            "Láttu mig vita hvenær flugið þitt lendir.\n\nKveðja,\nGuðrún",
            "Hæ Alice,\n\nhér eru nokkrar myndir frá ferðinni okkar. Takk fyrir "
            "síðast!\n\nGuðrún"],
           ["Takk fyrir!", "Frábært, sjáumst."]),
}

REPLY_LINES = ["Thanks, sounds good to me.", "I'll take a look this afternoon.",
               "Good point, I hadn't thought of that.", "Let's discuss it in the standup.",
               "Agreed.", "Could you add a short summary to the ticket?",
               "Thanks for the quick reply!", "I'm out tomorrow, but Friday works.",
               "Makes sense. Go ahead.", "+1"]

FYI_NOTES = [
    ("FYI: slides from today's all-hands",
     "The slides from today's all-hands are in the shared drive under Company/2024."),
    ("Parking garage closed on Monday",
     "The parking garage will be closed on Monday for cleaning. Bikes are fine."),
    ("Cake in the kitchen!", "It's my birthday, there is cake in the kitchen. Help yourself!"),
    ("Reminder: timesheets due Friday", "Friendly reminder that timesheets are due on Friday."),
    ("Quick question about the config parser",
     "Does the config parser accept quoted values with escaped quotes inside? The docs "
     "don't say."),
    ("Link: nice article about IMAP CONDSTORE",
     "Found a nice write-up about CONDSTORE and QRESYNC, worth a read if you work on sync."),
    ("Out of office next week", "I'll be out next week; Chinedu covers on-call for me."),
    ("New coffee machine", "The new coffee machine has arrived. Instructions are on the wall."),
    ("Test account credentials rotated",
     "The credentials of the shared test accounts were rotated. New ones are in the vault."),
    ("Printer on the 2nd floor is fixed", "The printer works again. Please don't print 300 "
     "pages at once."),
]

LIST_TOPICS = [
    "RFC: drop support for the old config format",
    "Proposal: switch the test suite to real servers",
    "Heads-up: main is frozen for 2.4",
    "How do we handle servers without UIDPLUS?",
    "Build fails with GCC 13 (-Wuse-after-free)",
    "Patch: fix quoting of folder names with spaces",
    "Weekly triage notes",
    "Question: mbox locking on NFS",
]

SUPPORT_TOPICS = [
    ("Can't log in after password reset",
     "Since I reset my password yesterday I can't log in any more. The app says "
     "'authentication failed' although I'm sure the password is right."),
    ("Invoice {n} is missing our VAT number",
     "The invoice we received this month does not show our VAT number. Could you "
     "please send a corrected invoice? Our accounting needs it by the end of the week."),
    ("Feature request: dark mode",
     "Is there any plan to add a dark mode? Our team works late and the white "
     "background is tiring."),
    ("Sync stops after a few minutes",
     "Synchronisation stops after a few minutes and only starts again when I "
     "restart the application. This happens on two different computers."),
    ("How do I export all my mail?",
     "We are archiving the mailboxes of former employees. What is the best way "
     "to export everything, including attachments?"),
    ("Attachments show up as winmail.dat",
     "Some of our customers receive our attachments as winmail.dat instead of the "
     "original files. What can we do?"),
    ("Upgrade from 2.3 to 2.4",
     "We plan to upgrade from 2.3 to 2.4 next month. Are there any breaking changes "
     "we should know about?"),
    ("Urgent: all messages disappeared",
     "All messages in our shared folder disappeared this morning! Please help, we "
     "need them for a meeting today."),
    ("Question about licensing for 50 users",
     "We are a team of 50 people. Which license do we need and is there a discount "
     "for non-profit organisations?"),
    ("Search does not find accented words",
     "When I search for 'Müller' the search finds nothing, although there are many "
     "messages from him. Searching for 'Muller' does not work either."),
    ("Calendar invitations not shown",
     "Meeting invitations arrive as plain text with an .ics file. Is there a way to "
     "accept them directly?"),
    ("Slow startup with large archive",
     "The application takes almost a minute to start since we imported our archive "
     "(about 200,000 messages)."),
]
SUPPORT_REPLIES = [
    "Thank you for contacting us. Could you tell us which version you are using and "
    "on which operating system?",
    "Thanks for the report. We could reproduce the problem and are working on a fix; "
    "we will get back to you within two days.",
    "This is fixed in version 2.4.1, which was released today. Please update and let "
    "us know if the problem persists.",
    "Thank you for the suggestion! I've added it to our feature tracker.",
    "I've attached the corrected document. Sorry for the inconvenience.",
    "Please try the following: open Settings, go to Accounts, and click 'Rebuild "
    "index'. This usually takes a few minutes.",
]
CUSTOMER_FOLLOWUPS = [
    "Thanks, that solved it!", "We use version 2.3.4 on Windows 11 and macOS 14.",
    "Unfortunately the problem is still there after the update.",
    "Great, thank you for the quick help.",
    "Any news on this? It is getting urgent for us.",
]

SPAM = [
    ("Congratulations! You have been selected", "us-ascii",
     "You have been selected to receive a FREE gift card worth $500. Click below to "
     "claim it within 24 hours."),
    ("Your account will be suspended", "us-ascii",
     "We noticed unusual activity. Verify your account now or it will be suspended."),
    ("Скидки до 90% только сегодня", "koi8-r",
     "Только сегодня: скидки до 90% на все товары! Не пропустите!"),
    ("发票代开 增值税发票", "gb2312", "长期代开各类发票，价格优惠，欢迎来电咨询。"),
    ("Wir haben Ihr Paket nicht zustellen können", "iso-8859-1",
     "Ihr Paket konnte nicht zugestellt werden. Bitte bestätigen Sie Ihre Adresse."),
    ("Investment opportunity with guaranteed returns", "us-ascii",
     "Double your money in 30 days with our proven trading system."),
    ("【重要】アカウント確認のお願い", "iso-2022-jp",
     "お客様のアカウントを確認するため、以下のリンクからログインしてください。"),
    ("Cheap meds online", "us-ascii", "Best prices, no prescription needed."),
]


# --------------------------------------------------------------------------
# encoding helpers

def encoded_words(text, charset, enc=None, maxlen=66):
    """RFC 2047 encoded words for text, each at most maxlen (<= 75) chars."""
    codec, label = CODECS[charset], LABELS[charset]
    if enc is None:
        enc = "Q" if charset in ("iso-8859-1", "iso-8859-2") else "B"

    def word(chunk):
        data = chunk.encode(codec)
        if enc == "B":
            payload = base64.b64encode(data).decode("ascii")
        else:
            payload = "".join(
                chr(b) if (0x30 <= b <= 0x39 or 0x41 <= b <= 0x5A or 0x61 <= b <= 0x7A
                           or chr(b) in "!*+-/") else
                "_" if b == 0x20 else "=%02X" % b for b in data)
        return "=?%s?%s?%s?=" % (label, enc, payload)

    words, chunk = [], ""
    for ch in text:
        if chunk and len(word(chunk + ch)) > maxlen:
            words.append(word(chunk))
            chunk = ""
        chunk += ch
    if chunk:
        words.append(word(chunk))
    return " ".join(words)


def _fits(text, charset):
    try:
        text.encode(CODECS[charset])
        return True
    except UnicodeEncodeError:
        return False


def header_text(text, charset):
    """text as a header value: as is if ASCII, else RFC 2047 in charset (or
    UTF-8 when charset cannot represent it, as a mail client would do)."""
    if _fits(text, "us-ascii"):
        return text
    return encoded_words(text, charset if _fits(text, charset) else "utf-8")


def fold(name, value, limit=76):
    """Fold a header value at spaces so lines stay within limit (RFC 5322)."""
    if "\r\n" in value:
        return value
    lines, cur = [], ""
    for word in value.split(" "):
        avail = limit - (len(name) + 2 if not lines else 1)
        if cur and len(cur) + 1 + len(word) > avail:
            lines.append(cur)
            cur = word
        else:
            cur = word if not cur else cur + " " + word
    lines.append(cur)
    return "\r\n ".join(lines)


def decode_header_text(value):
    """The text of an (RFC 2047 encoded) header value."""
    return str(email.header.make_header(email.header.decode_header(value)))


def address(person):
    try:
        person.name.encode("ascii")
        return email.utils.formataddr((person.name, person.addr))
    except UnicodeEncodeError:
        return "%s <%s>" % (header_text(person.name, person.charset), person.addr)


def text_part(text, subtype="plain", charset="utf-8", cte=None):
    """A text/* part with an explicit charset and transfer encoding."""
    if not _fits(text, charset):
        charset = "utf-8"
    codec = CODECS[charset]
    if cte is None:
        cte = {"us-ascii": "7bit", "iso-2022-jp": "7bit", "koi8-r": "8bit",
               "iso-8859-1": "quoted-printable", "iso-8859-2": "quoted-printable",
               "shift_jis": "base64", "gb2312": "base64"}.get(charset, "quoted-printable")
    data = text.replace("\r\n", "\n").encode(codec)
    part = Message()
    part["Content-Type"] = "text/%s; charset=%s" % (subtype, LABELS[charset])
    part["Content-Transfer-Encoding"] = cte
    if cte == "base64":
        payload = base64.encodebytes(data.replace(b"\n", b"\r\n")).decode("ascii")
    elif cte == "quoted-printable":
        payload = quopri.encodestring(data).decode("ascii")
    elif cte == "8bit":
        payload = data.decode("ascii", "surrogateescape")
    else:
        payload = data.decode("ascii")
    part.set_payload(payload)
    return part


def html_from_text(text, title=None):
    out, quote = [], []

    def flush_quote():
        if quote:
            out.append("<blockquote style=\"border-left:2px solid #ccc;"
                       "padding-left:8px;color:#555\">%s</blockquote>"
                       % "<br>\n".join(html.escape(q) for q in quote))
            quote.clear()

    for para in text.split("\n\n"):
        lines = para.split("\n")
        if all(ln.startswith(">") for ln in lines):
            quote.extend(ln.lstrip("> ") for ln in lines)
            continue
        flush_quote()
        out.append("<p>%s</p>" % "<br>\n".join(html.escape(ln) for ln in lines))
    flush_quote()
    head = "<title>%s</title>" % html.escape(title) if title else ""
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">%s</head>\n"
            "<body style=\"font-family:sans-serif\">\n%s\n</body></html>\n"
            % (head, "\n".join(out)))


def make_png(width, height, rgb_a, rgb_b):
    """A valid truecolour PNG with a diagonal gradient."""
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            t = (x + y) / float(width + height - 2)
            row += bytes(int(a + (b - a) * t) for a, b in zip(rgb_a, rgb_b))
        rows.append(bytes(row))

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
            + chunk(b"IEND", b""))


def make_pdf(lines):
    """A valid one-page PDF 1.4 showing lines of ASCII text."""
    def esc(s):
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    text = "BT /F1 12 Tf 72 760 Td 16 TL\n" + "".join(
        "(%s) Tj T*\n" % esc(ln) for ln in lines) + "ET\n"
    stream = text.encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += (b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, xref))
    return bytes(out)


def make_ics(uid, summary, start, minutes, organizer, attendees, stamp):
    def t(d):
        return d.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Example Org//Calendar 1.0//EN",
             "METHOD:REQUEST", "BEGIN:VEVENT", "UID:" + uid, "DTSTAMP:" + t(stamp),
             "DTSTART:" + t(start),
             "DTEND:" + t(start + datetime.timedelta(minutes=minutes)),
             "SUMMARY:" + summary,
             "ORGANIZER;CN=%s:mailto:%s" % (organizer.name, organizer.addr)]
    for a in attendees:
        lines.append("ATTENDEE;CN=%s;RSVP=TRUE:mailto:%s" % (a.name, a.addr))
    lines += ["LOCATION:Room 2.14 / video call", "END:VEVENT", "END:VCALENDAR"]
    folded = []
    for ln in lines:   # RFC 5545: fold at 75 octets
        data = ln.encode("utf-8")
        while len(data) > 75:
            cut = 75
            while (data[cut] & 0xC0) == 0x80:
                cut -= 1
            folded.append(data[:cut])
            data = b" " + data[cut:]
        folded.append(data)
    return b"\r\n".join(folded) + b"\r\n"


def attachment(data, maintype, subtype, filename, **params):
    part = MIMEBase(maintype, subtype, **params)
    part.set_payload(data)
    encoders.encode_base64(part)
    try:
        filename.encode("ascii")
        fname = filename
    except UnicodeEncodeError:
        fname = ("utf-8", "", filename)
    part.add_header("Content-Disposition", "attachment", filename=fname)
    return part


# --------------------------------------------------------------------------
# the generator

class _Gen:
    def __init__(self, seed, now):
        self.rng = random.Random(seed)
        self.now = now
        self.out = []     # [user, folder, msg, flags(set), date]
        self.serial = 0

    # ---- basics
    def msgid(self, domain):
        self.serial += 1
        return "<%08x.%04d.%s@%s>" % (self.rng.getrandbits(32), self.serial,
                                     "tern", domain.split("@")[-1])

    def boundary(self):
        self.serial += 1
        return "=_tern_%06d_%08x" % (self.serial, self.rng.getrandbits(32))

    def past(self, max_days, min_minutes=5, recent_bias=1.6):
        """A datetime in the past, more often recent than old."""
        span = max_days * 86400 - min_minutes * 60
        secs = min_minutes * 60 + int(span * (self.rng.random() ** recent_bias))
        d = self.now - datetime.timedelta(seconds=secs)
        return d.replace(microsecond=0)

    def later(self, d, min_minutes=10, max_minutes=48 * 60):
        step = self.rng.randint(min_minutes * 60, max(min_minutes, max_minutes) * 60)
        later = d + datetime.timedelta(seconds=step)
        limit = self.now - datetime.timedelta(minutes=2)
        return min(later, limit)

    def body_text(self, text, sender, html_alt=False, title=None):
        part = text_part(text, "plain", sender.charset)
        if not html_alt:
            return part
        alt = MIMEMultipart("alternative")
        alt.set_boundary(self.boundary())
        alt.attach(part)
        alt.attach(text_part(html_from_text(text, title), "html", "utf-8",
                             "quoted-printable"))
        return alt

    def mixed(self, first, attachments):
        m = MIMEMultipart("mixed")
        m.set_boundary(self.boundary())
        m.attach(first)
        for a in attachments:
            m.attach(a)
        return m

    def finish(self, body, sender, to, subject, date, msgid, cc=(), parent=None,
               extra=(), received_for=None):
        """Put the envelope headers in front of the MIME headers of body."""
        mime_headers = [(k, v) for k, v in body.items() if k.lower() != "mime-version"]
        for name in set(body.keys()):
            del body[name]
        for part in body.walk():   # the email package adds it to every part
            if part is not body:
                del part["MIME-Version"]
        local = date.astimezone(sender.tz)
        headers = []
        if received_for:
            headers.append(("Received", "from mail.%s\r\n\t(mail.%s [192.0.2.%d])\r\n\tby "
                            "mx.example.org (Postfix) with ESMTPS id %08X\r\n\tfor <%s>; %s"
                            % (sender.addr.split("@")[1], sender.addr.split("@")[1],
                               self.rng.randint(2, 254), self.rng.getrandbits(32),
                               received_for, email.utils.format_datetime(
                                   date.astimezone(UTC)))))
        headers += [("Date", email.utils.format_datetime(local)),
                    ("From", address(sender)),
                    ("To", ", ".join(address(p) for p in to))]
        if cc:
            headers.append(("Cc", ", ".join(address(p) for p in cc)))
        headers += [("Subject", header_text(subject, sender.charset)),
                    ("Message-ID", msgid)]
        if parent is not None:
            refs = parent["refs"] + [parent["msgid"]]
            headers.append(("In-Reply-To", parent["msgid"]))
            headers.append(("References", " ".join(refs[-10:])))
        headers += list(extra)
        headers.append(("MIME-Version", "1.0"))
        for name, value in headers:
            body[name] = fold(name, value)
        for name, value in mime_headers:
            body[name] = value
        return body

    def add(self, user, folder, msg, flags, date):
        self.out.append([user, folder, msg, set(flags), date])
        return self.out[-1]

    # ---- pieces of text
    def greeting(self, to):
        return self.rng.choice(["Hi %s,", "Hello %s,", "Dear %s,", "Hey %s,"]) % to.first

    def signoff(self, sender):
        sign = self.rng.choice(["Thanks,", "Best,", "Cheers,", "Best regards,", "Thanks!"])
        text = "%s\n%s" % (sign, sender.first)
        if sender.title and self.rng.random() < 0.5:
            text += "\n\n-- \n%s\n%s, Example Org\n+49 30 1234 %04d" % (
                sender.name, sender.title, self.rng.randint(0, 9999))
        return text

    def quote(self, parent):
        text = parent["text"]
        lines = text.split("\n")[:30]
        who = parent["sender"]
        when = parent["date"].astimezone(who.tz).strftime("%a, %d %b %Y at %H:%M")
        return "On %s, %s <%s> wrote:\n%s" % (
            when, who.name, who.addr,
            "\n".join(">" + ("" if ln.startswith(">") or not ln else " ") + ln
                      for ln in lines))

    # ---- threads
    def thread(self, folder_for_incoming, participants, subject, opener_text, replies,
               start, sender_first=None, length=3, html_rate=0.3, attach=None,
               list_headers=None, to_addr=None, user="alice", me=ALICE, native=False):
        """A conversation; messages from `me` go to Sent, others to a folder.

        folder_for_incoming: callable(date) -> folder name.  Returns the list
        of stored entries."""
        entries = []
        parent = None
        date = start
        sender = sender_first or participants[0]
        for i in range(length):
            if i > 0:
                date = self.later(date, 15, 36 * 60)
                if date >= self.now - datetime.timedelta(minutes=3):
                    break
            mine = sender is me
            others = [p for p in participants if p is not sender]
            if to_addr is not None:
                to, cc = [to_addr], []
            else:
                to = [parent["sender"]] if parent else [me if not mine else others[0]]
                cc = [p for p in participants + [me] if p is not sender and p not in to]
                cc = list(dict.fromkeys(cc))
            subj = subject if i == 0 else "Re: " + subject
            if i == 0:
                text = opener_text
            else:
                if replies and not (native and mine):
                    line = replies[(i - 1) % len(replies)]
                else:
                    line = self.rng.choice(REPLY_LINES)
                greet = self.greeting(parent["sender"]) if sender.lang in ("en",) else ""
                own = line if not greet else "%s\n\n%s" % (greet, line)
                if sender.lang in ("en",) and self.rng.random() < 0.5:
                    own += "\n\n" + self.signoff(sender)
                elif sender.lang not in ("en",):
                    own += "\n\n" + sender.first
                text = own + "\n\n" + self.quote(parent)
            msgid = self.msgid(sender.addr)
            html_alt = (not mine) and self.rng.random() < html_rate
            body = self.body_text(text, sender, html_alt, subj)
            if attach and i == 0:
                body = self.mixed(body, attach)
            extra = list(list_headers or [])
            msg = self.finish(body, sender, to, subj, date, msgid, cc, parent, extra,
                              received_for=None if mine else me.addr)
            folder = "Sent" if (mine and list_headers is None) else folder_for_incoming(date)
            flags = {"\\Seen"} if mine else self.read_flags(date)
            entry = self.add(user, folder, msg, flags, date)
            info = {"msgid": msgid, "refs": (parent["refs"] + [parent["msgid"]])[-10:]
                    if parent else [], "sender": sender, "date": date, "text": text,
                    "entry": entry}
            if parent is not None and mine and parent["entry"] is not None:
                parent["entry"][3].update(("\\Answered", "\\Seen"))
            entries.append(info)
            parent = info
            # next sender: alternate between me and others
            if mine:
                sender = self.rng.choice([p for p in participants if p is not me] or [me])
            else:
                rest = [p for p in participants if p is not sender and p is not me]
                sender = me if (not rest or self.rng.random() < 0.55) else self.rng.choice(rest)
        return entries

    # ---- alice's folders
    def incoming_folder(self, date):
        age = (self.now - date).days
        if age > 240:
            return "Archive" if self.rng.random() < 0.45 else "INBOX"
        if age > 120:
            return "Archive" if self.rng.random() < 0.15 else "INBOX"
        return "INBOX"

    def build_alice(self):
        rng = self.rng
        colleagues = COLLEAGUES
        # work threads
        for subject, opener, replies in WORK_TOPICS:
            for _ in range(rng.choice([2, 3, 3])):
                starter = rng.choice(colleagues + [ALICE] * 3)
                others = rng.sample(colleagues, rng.randint(1, 3))
                if starter is not ALICE and starter not in others:
                    others[0] = starter
                to = others[0] if starter is ALICE else ALICE
                text = "%s\n\n%s\n\n%s" % (self.greeting(to), "\n\n".join(opener),
                                           self.signoff(starter))
                attach = None
                if "mockups" in opener[0] or "Backtrace" in "".join(opener):
                    attach = [self.png_attachment("mockup.png") if "mockups" in opener[0]
                              else attachment(("Program received signal SIGSEGV\n"
                                               "#0 folder_split_path () at folder.c:212\n"
                                               "#1 sync_folder_list () at sync.c:88\n"
                                               ).encode(), "text", "plain",
                                              "backtrace.txt", charset="us-ascii")]
                self.thread(self.incoming_folder, others, subject, text, replies,
                            self.past(720), sender_first=starter,
                            length=rng.choice([1, 2, 3, 3, 4, 5, 6]), attach=attach)
        # native-language threads with external contacts
        for person in EXTERNAL:
            if person.lang not in NATIVE:
                continue
            subjects, bodies, replies = NATIVE[person.lang]
            for k in range(2):
                attach = None
                if person.lang == "pt" and k == 0:
                    attach = [attachment(make_pdf(["Orcamento revisado", "Total: R$ 48.000",
                                                   "Pagina 2: alteracoes"]),
                                         "application", "pdf", "Orçamento revisado.pdf")]
                if person.lang == "is" and k == 1:
                    attach = [self.png_attachment("Þingvellir.png"),
                              self.png_attachment("Reykjavík.png")]
                if person.lang == "ja2" and k == 0:
                    attach = [attachment("テスト結果: 合格 120件, 不合格 0件\n".encode("shift_jis"),
                                         "text", "plain", "test-results.txt",
                                         charset="Shift_JIS")]
                self.thread(self.incoming_folder, [person], subjects[k], bodies[k],
                            replies, self.past(700), sender_first=person,
                            length=rng.choice([1, 2, 2, 3]), html_rate=0.2, attach=attach,
                            native=True)
        # English externals
        for person in EXTERNAL:
            if person.lang == "en":
                for _ in range(4):
                    subject, opener, replies = rng.choice(WORK_TOPICS)
                    text = "%s\n\n%s\n\n%s" % (self.greeting(ALICE), "\n\n".join(opener),
                                               self.signoff(person))
                    self.thread(self.incoming_folder, [person], subject, text, replies,
                                self.past(700), sender_first=person,
                                length=rng.choice([1, 2, 3]), html_rate=0.5)
        for n in range(30):
            person = rng.choice(colleagues)
            subject, note = FYI_NOTES[n % len(FYI_NOTES)]
            text = "%s\n\n%s\n\n%s" % (rng.choice(["Hi all,", "Hi team,", "Hello,"]), note,
                                         self.signoff(person))
            self.thread(self.incoming_folder, [person], subject, text, [], self.past(720),
                        sender_first=person, length=rng.choice([1, 1, 1, 2]), html_rate=0.4)
        self.notifications()
        self.invitations()
        self.newsletters()
        self.autoreplies()
        self.lists()
        self.junk()
        self.trash()
        self.drafts()

    def png_attachment(self, name):
        rng = self.rng
        a = tuple(rng.randint(0, 255) for _ in range(3))
        b = tuple(rng.randint(0, 255) for _ in range(3))
        return attachment(make_png(32, 24, a, b), "image", "png", name)

    def notifications(self):
        rng = self.rng
        bot = Person("Build Bot", "ci@build.example.org", "us-ascii", 0, "en")
        for n in range(34):
            date = self.past(400)
            build = 4000 + n * 37 + rng.randint(0, 30)
            ok = rng.random() < 0.4
            test = rng.choice(["test_imap_sync", "test_pop3_uidl", "test_smtp_auth",
                               "test_folder_cache", "test_search_parser"])
            subject = "[CI] main #%d %s" % (build, "fixed" if ok else "failed: " + test)
            text = ("Build #%d of main %s.\n\nCommit: %010x\nAuthor: %s\nDuration: %dm%02ds\n"
                    "%s\nDetails: https://build.example.org/main/%d\n"
                    % (build, "succeeded again" if ok else "failed", rng.getrandbits(40),
                       rng.choice(COLLEAGUES + [ALICE]).name, rng.randint(3, 25), rng.randint(0, 59),
                       "" if ok else "\nFailed test: %s (timeout after 30s)\n" % test, build))
            msg = self.finish(text_part(text, "plain", "us-ascii"), bot, [ALICE], subject,
                              date, self.msgid("build.example.org"),
                              extra=[("Auto-Submitted", "auto-generated"),
                                     ("X-CI-Build", str(build))], received_for=ALICE.addr)
            self.add("alice", self.incoming_folder(date), msg, self.read_flags(date), date)
        shop = Person("Nordic Books", "orders@shop.example.net", "utf-8", 60, "en")
        for n in range(5):
            date = self.past(600)
            order = 58000 + rng.randint(0, 9999)
            title = rng.choice(["The Pragmatic Programmer", "Sjöwall & Wahlöö: Roseanna",
                                "Сто лет одиночества", "ノルウェイの森", "Le Petit Prince"])
            h = ("<!DOCTYPE html>\n<html><body style=\"font-family:sans-serif\">\n"
                 "<h2>Your order #%d has shipped!</h2>\n<p>Good news: <b>%s</b> is on its "
                 "way.</p>\n<table border=\"1\" cellpadding=\"4\"><tr><th>Item</th><th>Qty"
                 "</th><th>Price</th></tr>\n<tr><td>%s</td><td>1</td><td>&euro;%d.%02d</td>"
                 "</tr></table>\n<p><a href=\"https://shop.example.net/track/%d\">Track "
                 "your parcel</a></p>\n</body></html>\n"
                 % (order, html.escape(title), html.escape(title), rng.randint(9, 39),
                    rng.randint(0, 99), order))
            msg = self.finish(text_part(h, "html", "utf-8", "quoted-printable"), shop,
                              [ALICE], "Your order #%d has shipped" % order, date,
                              self.msgid("shop.example.net"), received_for=ALICE.addr)
            self.add("alice", self.incoming_folder(date), msg, self.read_flags(date), date)
        host = Person("Hosting Co Billing", "billing@host.example.net", "us-ascii", -300, "en")
        for n in range(6):
            date = self.past(500)
            month = date.strftime("%B %Y")
            inv = "INV-%d-%04d" % (date.year, rng.randint(1, 9999))
            pdf = make_pdf(["Hosting Co", "Invoice %s" % inv, "Period: %s" % month,
                            "VPS small: EUR 12.00", "Total: EUR 14.28 (incl. VAT)"])
            text = ("Dear customer,\n\nplease find attached your invoice %s for %s.\n"
                    "The amount will be charged to your credit card.\n\nHosting Co Billing\n"
                    % (inv, month))
            body = self.mixed(text_part(text, "plain", "us-ascii"),
                              [attachment(pdf, "application", "pdf", "%s.pdf" % inv)])
            msg = self.finish(body, host, [ALICE], "Your invoice %s" % inv, date,
                              self.msgid("host.example.net"), received_for=ALICE.addr)
            self.add("alice", self.incoming_folder(date), msg, self.read_flags(date), date)
        # a friend sends photos, a colleague a presentation with a non-ASCII name
        friend = EXTERNAL[7]
        date = self.past(300)
        body = self.mixed(text_part("Hej Alice!\n\nHär är bilderna från midsommar.\n\nÅsa",
                                    "plain", friend.charset),
                          [self.png_attachment("midsommar-1.png"),
                           self.png_attachment("midsommar-2.png")])
        msg = self.finish(body, friend, [ALICE], "Bilder från midsommar", date,
                          self.msgid(friend.addr), received_for=ALICE.addr)
        self.add("alice", self.incoming_folder(date), msg, {"\\Seen", "\\Flagged"}, date)
        jurgen = COLLEAGUES[0]
        date = self.past(90)
        notes = ("Protokoll der Teamrunde\n\n1. Release 2.4: Termin bleibt.\n"
                 "2. Übersetzungen: Jürgen prüft die deutschen Texte.\n")
        body = self.mixed(text_part("Hallo Alice,\n\nanbei die Präsentation und das "
                                    "Protokoll.\n\nGrüße\nJürgen", "plain", jurgen.charset),
                          [attachment(make_pdf(["Teamrunde", "Release 2.4", "Uebersetzungen"]),
                                      "application", "pdf", "Präsentation Teamrunde.pdf"),
                           attachment(notes.encode("utf-8"), "text", "plain",
                                      "Protokoll.txt", charset="utf-8")])
        msg = self.finish(body, jurgen, [ALICE], "Präsentation und Protokoll", date,
                          self.msgid(jurgen.addr), received_for=ALICE.addr)
        self.add("alice", self.incoming_folder(date), msg, self.read_flags(date), date)

    def read_flags(self, date, unread_recent=0.45, flag_rate=0.06):
        flags = set()
        age_days = (self.now - date).total_seconds() / 86400
        if age_days > 14 or self.rng.random() > unread_recent:
            flags.add("\\Seen")
        if self.rng.random() < flag_rate:
            flags.add("\\Flagged")
        return flags

    def invitations(self):
        rng = self.rng
        for n, what in enumerate(["Sprint review", "1:1 Alice / Arjun", "Release retro",
                                  "Design review: threading view", "Team dinner"]):
            organizer = rng.choice(COLLEAGUES)
            date = self.past(200)
            start = (date + datetime.timedelta(days=rng.randint(1, 10))).replace(
                minute=0, second=0)
            start = start.replace(hour=rng.choice([9, 10, 14, 15]))
            attendees = [ALICE] + rng.sample(COLLEAGUES, 2)
            ics = make_ics("%08x@example.org" % rng.getrandbits(32), what, start,
                           rng.choice([30, 60]), organizer, attendees, date)
            local = start.astimezone(organizer.tz)
            text = ("%s has invited you to: %s\n\nWhen: %s\nWhere: Room 2.14 / video call\n"
                    % (organizer.name, what, local.strftime("%A, %d %B %Y %H:%M %z")))
            cal = MIMEBase("text", "calendar", method="REQUEST", charset="UTF-8")
            cal.set_payload(ics)
            encoders.encode_base64(cal)
            cal.add_header("Content-Disposition", "attachment", filename="invite.ics")
            body = self.mixed(text_part(text, "plain", "utf-8"), [cal])
            subject = "Invitation: %s @ %s" % (what, local.strftime("%a %d %b %Y %H:%M"))
            msg = self.finish(body, organizer, attendees, subject, date,
                              self.msgid(organizer.addr), received_for=ALICE.addr)
            self.add("alice", self.incoming_folder(date), msg, self.read_flags(date), date)

    def newsletter(self, sender, subject, date, items, list_id=None):
        parts = "".join("<h3>%s</h3>\n<p>%s</p>\n" % (html.escape(t), html.escape(d))
                        for t, d in items)
        h = ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s</title></head>"
             "\n<body style=\"font-family:Georgia,serif;max-width:600px\">\n<h1>%s</h1>\n%s"
             "<hr><p style=\"font-size:small\">You receive this because you subscribed. "
             "<a href=\"https://news.example.com/unsubscribe\">Unsubscribe</a></p>\n"
             "</body></html>\n" % (html.escape(subject), html.escape(subject), parts))
        extra = [("List-Unsubscribe", "<https://news.example.com/unsubscribe>"),
                 ("Precedence", "bulk")]
        if list_id:
            extra.insert(0, ("List-Id", list_id))
        return self.finish(text_part(h, "html", "utf-8", "quoted-printable"), sender,
                           [ALICE], subject, date, self.msgid(sender.addr), extra=extra,
                           received_for=ALICE.addr)

    NEWS_ITEMS = [("Ten tips for a tidy inbox", "Archive aggressively, search often."),
                  ("Why plain text still matters", "It works everywhere, forever."),
                  ("Interview: the people behind IMAP IDLE", "A look back at RFC 2177."),
                  ("Café culture in Lisbon", "Where to get the best pastéis de nata."),
                  ("Événements du mois", "Conférences, ateliers et rencontres.")]

    def newsletters(self):
        sender = Person("Inbox Weekly", "newsletter@news.example.com", "utf-8", -300, "en")
        for n in range(10):
            date = self.past(500)
            items = self.rng.sample(self.NEWS_ITEMS, 3)
            msg = self.newsletter(sender, "Inbox Weekly #%d" % (120 + n), date, items)
            self.add("alice", self.incoming_folder(date), msg, self.read_flags(date, 0.8),
                     date)

    def autoreplies(self):
        sent = [e for e in self.out if e[1] == "Sent"]
        for person, subj_fmt, text in [
                (COLLEAGUES[0], "Abwesenheitsnotiz: %s",
                 "Vielen Dank für Ihre Nachricht. Ich bin bis zum 3. Juni nicht im Büro und "
                 "habe nur eingeschränkten Zugriff auf meine E-Mails.\n\nIn dringenden "
                 "Fällen wenden Sie sich bitte an support@example.org.\n\nJürgen Müller"),
                (COLLEAGUES[5], "Automatic reply: %s",
                 "Thanks for your message. I'm on vacation until Monday with limited access "
                 "to email. I'll reply when I'm back.\n\nSofía")]:
            mine = [e for e in sent if person.addr in e[2]["To"]] or sent
            entry = self.rng.choice(mine)
            orig = entry[2]
            date = self.later(entry[4], 1, 5)
            subject = subj_fmt % decode_header_text(orig["Subject"])
            msgid = self.msgid(person.addr)
            parent = {"msgid": orig["Message-ID"],
                      "refs": (orig["References"] or "").split()}
            msg = self.finish(text_part(text, "plain", person.charset), person, [ALICE],
                              subject, date, msgid, parent=parent,
                              extra=[("Auto-Submitted", "auto-replied"),
                                     ("X-Autoreply", "yes")], received_for=ALICE.addr)
            self.add("alice", self.incoming_folder(date), msg, {"\\Seen"}, date)

    def lists(self):
        rng = self.rng
        dev = Person("Lumen developers", "dev@lists.example.org", "us-ascii", 0, "en")
        members = COLLEAGUES + EXTERNAL[13:] + [EXTERNAL[4], EXTERNAL[0]]
        headers = [("List-Id", "Lumen development <dev.lists.example.org>"),
                   ("List-Post", "<mailto:dev@lists.example.org>"),
                   ("List-Unsubscribe", "<mailto:dev-leave@lists.example.org>"),
                   ("List-Archive", "<https://lists.example.org/archives/dev/>"),
                   ("Precedence", "list")]
        for topic in LIST_TOPICS:
            starter = rng.choice(members + [ALICE])
            people = rng.sample(members, 3)
            if starter in people:
                people.remove(starter)
            text = "Hi all,\n\n%s\n\n%s" % (
                rng.choice(["I'd like to hear opinions on this before the next release.",
                            "Details below; comments welcome.",
                            "This came up in yesterday's triage."]),
                self.signoff(starter))
            self.thread(lambda d: "Lists/dev", [starter] + people + [ALICE],
                        "[lumen-dev] " + topic, text, [], self.past(365),
                        sender_first=starter, length=rng.randint(2, 5), html_rate=0.0,
                        list_headers=headers, to_addr=dev)
        for e in self.out:
            if e[1] == "Lists/dev":
                e[3].clear()
                e[3].update(self.read_flags(e[4], 0.7, 0.03))
        announce = Person("Lumen announcements", "announce@lists.example.org", "us-ascii",
                          0, "en")
        for n, version in enumerate(["2.1.0", "2.2.0", "2.2.1", "2.3.0", "2.3.1", "2.3.2",
                                     "2.4.0-rc1"]):
            date = self.now - datetime.timedelta(days=(7 - n) * 95 - rng.randint(0, 20),
                                                 hours=rng.randint(0, 20))
            text = ("Lumen %s is out!\n\nHighlights:\n- faster folder opening\n"
                    "- better handling of shared mailboxes\n- many bug fixes\n\n"
                    "Download: https://lumen.example.org/download/%s\n\nThe Lumen team\n"
                    % (version, version))
            body = self.body_text(text, announce, html_alt=True,
                                  title="Lumen %s released" % version)
            msg = self.finish(body, announce, [announce], "[lumen-announce] Lumen %s released"
                              % version, date, self.msgid("lists.example.org"),
                              extra=[("List-Id", "Lumen announcements "
                                      "<announce.lists.example.org>"),
                                     ("Precedence", "list")], received_for=ALICE.addr)
            self.add("alice", "Lists/announce", msg, self.read_flags(date, 0.5, 0), date)

    def junk(self):
        rng = self.rng
        for subject, charset, text in SPAM:
            sender = Person(rng.choice(["Prize Center", "Security Team", "Service",
                                        "Pharmacy"]),
                            "%s@%s.example.biz" % (rng.choice(["info", "noreply", "win"]),
                                                   rng.choice(["xk9", "promo", "deals"])),
                            charset, rng.choice([-300, 0, 180, 480]), "en")
            date = self.past(60)
            h = ("<html><body><p style=\"font-size:20px;color:red\">%s</p>"
                 "<p><a href=\"http://%s.example.biz/c\">&gt;&gt; CLICK HERE &lt;&lt;</a></p>"
                 "</body></html>\n" % (html.escape(text), rng.choice(["xk9", "promo"])))
            cs = charset if charset != "us-ascii" else "utf-8"
            msg = self.finish(text_part(h, "html", cs), sender, [ALICE], subject, date,
                              self.msgid(sender.addr),
                              extra=[("X-Spam-Flag", "YES"),
                                     ("X-Spam-Status", "Yes, score=%.1f required=5.0"
                                      % rng.uniform(6, 25))], received_for=ALICE.addr)
            self.add("alice", "Junk", msg, set() if rng.random() < 0.8 else {"\\Seen"}, date)

    def trash(self):
        sender = Person("Inbox Weekly", "newsletter@news.example.com", "utf-8", -300, "en")
        for n in range(4):
            date = self.past(200)
            msg = self.newsletter(sender, "Inbox Weekly #%d" % (100 + n), date,
                                  self.rng.sample(self.NEWS_ITEMS, 2))
            self.add("alice", "Trash", msg, {"\\Seen"}, date)
        moved = [e for e in self.out if e[1] == "INBOX" and "[CI]" in e[2]["Subject"]]
        for e in moved[:4]:
            e[1] = "Trash"
            e[3].add("\\Seen")

    def drafts(self):
        date = self.past(3)
        text = ("Hi Jürgen,\n\nabout the translation: I think »Postfach« is better for the "
                "account and »Ordner« for folders, but let me check with Françoise\n")
        msg = self.finish(text_part(text, "plain", "utf-8", "8bit"), ALICE, [COLLEAGUES[0]],
                          "Re: Übersetzung", date, self.msgid(ALICE.addr))
        self.add("alice", "Drafts", msg, {"\\Draft", "\\Seen"}, date)
        incoming = [e for e in self.out if e[1] == "INBOX" and "\\Seen" in e[3]
                    and "[CI]" not in e[2]["Subject"] and e[2]["Auto-Submitted"] is None
                    and "@example.org" in e[2]["From"]]
        orig = incoming[-1][2] if incoming else None
        date = self.past(1, 30)
        parent = {"msgid": orig["Message-ID"], "refs": (orig["References"] or "").split()} \
            if orig is not None else None
        subj = decode_header_text(orig["Subject"]) if orig is not None else "Notes"
        msg = self.finish(text_part("Hi,\n\nquick question before I answer properly: \n",
                                    "plain", "us-ascii"),
                          ALICE, [COLLEAGUES[1]], subj if subj.startswith("Re: ")
                          else "Re: " + subj, date, self.msgid(ALICE.addr), parent=parent)
        self.add("alice", "Drafts", msg, {"\\Draft", "\\Seen"}, date)

    # ---- the team mailbox
    def build_support(self):
        rng = self.rng
        team = [ALICE, BOB]
        count = 0
        customers = list(CUSTOMERS)
        topics = list(SUPPORT_TOPICS)
        n = 0
        while count < 60:
            n += 1
            customer = customers[n % len(customers)]
            subject, text = topics[(n * 5) % len(topics)]
            subject = subject.replace("{n}", "#%d" % (10230 + n))
            # the newest messages come last and are still waiting for an answer
            fresh = count >= 52
            if fresh:
                start = self.now - datetime.timedelta(minutes=rng.randint(5, 7 * 60))
                length = 1
            else:
                start = self.past(21, 60 * 8, 1.0)
                length = rng.choice([1, 2, 2, 3, 3, 4])
            length = min(length, 60 - count)
            greeting = "Hello,"
            if customer.lang == "de":
                opener = ("Guten Tag,\n\n%s\n\n(Entschuldigung, mein Englisch ist nicht so "
                          "gut.)\n\nMit freundlichen Grüßen\n%s" % (text, customer.name))
            elif customer.lang == "fr":
                opener = "Bonjour,\n\n%s\n\nCordialement,\n%s" % (text, customer.name)
            else:
                opener = "%s\n\n%s\n\n%s" % (greeting, text, rng.choice(
                    ["Thanks,", "Best regards,", "Kind regards,", "Regards,"])
                    + "\n" + customer.name)
            msgs = []
            parent = None
            date = start
            for i in range(length):
                ours = i % 2 == 1
                if i:
                    date = self.later(date, 20, 30 * 60)
                    if date >= self.now - datetime.timedelta(minutes=10):
                        break
                if ours:
                    sender = rng.choice(team)
                    body = "Hello %s,\n\n%s\n\nBest regards,\n%s\nExample Support" % (
                        customer.first, rng.choice(SUPPORT_REPLIES), sender.first)
                    to, cc = [customer], [SUPPORT]
                else:
                    sender = customer
                    body = opener if i == 0 else "%s\n\n%s" % (
                        rng.choice(CUSTOMER_FOLLOWUPS), customer.first)
                    to, cc = [SUPPORT], []
                if i:
                    body += "\n\n" + self.quote(parent)
                msgid = self.msgid(sender.addr)
                html_alt = not ours and rng.random() < 0.3
                part = self.body_text(body, sender, html_alt, subject)
                if not ours and i == 0 and rng.random() < 0.15:
                    part = self.mixed(part, [self.png_attachment("screenshot.png")])
                subj = subject if i == 0 else "Re: " + subject
                msg = self.finish(part, sender, to, subj, date, msgid, cc, parent,
                                  received_for=SUPPORT.addr)
                if fresh:
                    flags = set()
                else:
                    flags = {"\\Seen"} if rng.random() < 0.85 else set()
                    if rng.random() < 0.08:
                        flags.add("\\Flagged")
                entry = self.add("support", "INBOX", msg, flags, date)
                info = {"msgid": msgid, "refs": (parent["refs"] + [parent["msgid"]])[-10:]
                        if parent else [], "sender": sender, "date": date, "text": body,
                        "entry": entry}
                if ours and parent is not None:
                    parent["entry"][3].add("\\Answered")
                msgs.append(info)
                parent = info
                count += 1


def generate(seed=1, now=None):
    """The sample messages: [(user, folder, raw_bytes, flags, internaldate)].

    Deterministic for a given seed and now (default DEFAULT_NOW).  raw_bytes
    use CRLF line endings; flags is a sorted tuple like ('\\\\Seen',);
    internaldate is an aware datetime equal to the Date header."""
    if now is None:
        now = DEFAULT_NOW
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    g = _Gen(seed, now.replace(microsecond=0))
    g.build_alice()
    g.build_support()
    out = []
    for user, folder, msg, flags, date in g.out:
        raw = msg.as_bytes(policy=POLICY)
        out.append((user, folder, raw, tuple(sorted(flags)), date))
    out.sort(key=lambda m: (m[0], m[1], m[4]))
    return out


def folders(messages):
    """{(user, folder): count} of generate()'s output."""
    counts = {}
    for user, folder, _, _, _ in messages:
        counts[(user, folder)] = counts.get((user, folder), 0) + 1
    return counts


def fill(servers, seed=1, now=None):
    """APPEND generate(seed, now) to the servers (a servers.Servers).

    Creates missing folders (and subscribes them); one IMAP connection per
    user.  Returns {(user, folder): count}."""
    from servers import imap_append, imap_quote, HarnessError
    messages = generate(seed, now)
    counts = {}
    by_user = {}
    seen_team_uids = []
    for m in messages:
        by_user.setdefault(m[0], []).append(m)
    for user, items in by_user.items():
        conn = servers.imap(user)
        try:
            for folder in dict.fromkeys(m[1] for m in items):
                if folder == "INBOX":
                    continue
                typ, data = conn.create(imap_quote(folder))
                if typ != "OK" and b"ALREADYEXISTS" not in (data[0] or b""):
                    raise HarnessError("CREATE %s failed: %r" % (folder, data))
                conn.subscribe(imap_quote(folder))
            for _, folder, raw, flags, date in items:
                uid = imap_append(conn, folder, raw, flags, date)
                counts[(user, folder)] = counts.get((user, folder), 0) + 1
                if user == TEAM_OWNER and folder == "INBOX" and "\\Seen" in flags:
                    seen_team_uids.append(uid)
        finally:
            conn.logout()
    # \Seen is private per user in the shared namespace (INDEXPVT): give the
    # team members the same read state as the owner.
    for member in TEAM_MEMBERS:
        if member not in servers.users or not seen_team_uids:
            continue
        conn = servers.imap(member)
        try:
            box = imap_quote("Shared/%s/INBOX" % TEAM_OWNER)
            if conn.select(box)[0] != "OK":
                raise HarnessError("%s cannot select %s" % (member, box))
            for i in range(0, len(seen_team_uids), 200):
                uids = ",".join(str(u) for u in seen_team_uids[i:i + 200])
                conn.uid("STORE", uids, "+FLAGS.SILENT", "(\\Seen)")
        finally:
            conn.logout()
    return counts


def main(argv=None):
    import argparse
    ap = argparse.ArgumentParser(description="tern sample mail generator")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mbox", help="write all messages to this mbox file")
    args = ap.parse_args(argv)
    msgs = generate(args.seed)
    for (user, folder), n in sorted(folders(msgs).items()):
        print("%-8s %-16s %4d" % (user, folder, n))
    print("total %d messages, %d bytes" % (len(msgs), sum(len(m[2]) for m in msgs)))
    if args.mbox:
        with open(args.mbox, "wb") as f:
            for user, folder, raw, flags, date in msgs:
                f.write(b"From MAILER-DAEMON " + date.astimezone(UTC).strftime(
                    "%a %b %d %H:%M:%S %Y").encode() + b"\n")
                body = raw.replace(b"\r\n", b"\n")
                body = b"\n".join((b">" + ln) if ln.lstrip(b">").startswith(b"From ")
                                  else ln for ln in body.split(b"\n"))
                f.write(body + b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
