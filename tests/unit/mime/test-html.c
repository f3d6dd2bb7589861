/* Unit tests for the built-in HTML-to-text converter: snippets in the
 * shapes Outlook, Gmail and marketing mail produce, each fed whole and
 * one byte at a time. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/str.h"
#include "mime/html.h"
#include "tap.h"

static const struct {
	const char *name, *in, *want;
} cases[] = {
	{ "paragraphs", "<p>Hello</p><p>World</p>", "Hello\n\nWorld\n" },
	{ "line break", "Hello<br>World", "Hello\nWorld\n" },
	{ "two line breaks", "a<br/><br />b", "a\n\nb\n" },
	{ "leading breaks dropped", "<br><br><p>a</p>", "a\n" },
	{ "script dropped", "<script>alert('<p>x</p>')</script>Hi", "Hi\n" },
	{ "script end in capitals", "<SCRIPT type=x>if (a </b) {}</SCRIPT >Hi", "Hi\n" },
	{ "almost an end tag", "<script>a</scr</script>b", "b\n" },
	{ "style dropped", "<style>p { color: red }</style><p>Hi</p>", "Hi\n" },
	{ "head dropped", "<html><head><title>T</title><meta charset=utf-8></head>"
	    "<body>Body</body></html>", "Body\n" },
	{ "comment dropped", "a<!-- comment <p> -- still -->b", "ab\n" },
	{ "white space collapses", "  Hello \n\t  world  ", "Hello world\n" },
	{ "bullets", "<ul><li>One</li><li>Two</li></ul>", "* One\n* Two\n" },
	{ "numbers, unclosed items", "<ol><li>One<li>Two</ol>", "1. One\n2. Two\n" },
	{ "nested lists", "<ul><li>A<ul><li>B</li></ul></li><li>C</li></ul>",
	    "* A\n  * B\n* C\n" },
	{ "quote levels", "<blockquote>Quoted<blockquote>Deeper</blockquote></blockquote>After",
	    "> Quoted\n> > Deeper\nAfter\n" },
	{ "pre keeps space", "<pre>  a\n    b  c</pre>after", "  a\n    b  c\nafter\n" },
	{ "link", "<a href=\"https://x.example/\">Click</a>", "Click [https://x.example/]\n" },
	{ "link equal to its text", "See <a href='https://x.example/'>https://x.example/</a>.",
	    "See https://x.example/.\n" },
	{ "mailto link", "<a href=\"mailto:a@b.example\">a@b.example</a>", "a@b.example\n" },
	{ "anchor and script links", "<a href=\"#top\">Top</a> <a href=\"javascript:x()\">Go</a>",
	    "Top Go\n" },
	{ "unquoted attribute with a reference",
	    "<a href=http://x.example/a?b=1&amp;c=2>go</a>", "go [http://x.example/a?b=1&c=2]\n" },
	{ "quoted '>' in an attribute", "<a title=\"x>y\" href=\"u\">t</a>", "t [u]\n" },
	{ "image alt", "<img src=\"x.png\" alt=\"Logo\">", "[Logo]\n" },
	{ "image without alt", "a<img src=\"pixel.gif\" width=1>b", "ab\n" },
	{ "linked image", "<a href=\"https://shop.example/\"><img alt=\"Shop now\" src=x></a>",
	    "[Shop now] [https://shop.example/]\n" },
	{ "named references", "&lt;b&gt; &amp; &quot;q&quot; &apos;a&apos; &copy; &reg; "
	    "&hellip; &mdash; &ndash; &lsquo;&rsquo;&ldquo;&rdquo; &euro; &trade;",
	    "<b> & \"q\" 'a' \xc2\xa9 \xc2\xae \xe2\x80\xa6 \xe2\x80\x94 \xe2\x80\x93 "
	    "\xe2\x80\x98\xe2\x80\x99\xe2\x80\x9c\xe2\x80\x9d \xe2\x82\xac \xe2\x84\xa2\n" },
	{ "numeric references", "&#65;&#x42;&#X43;&#0;&#x110000;&#xD800;&#150;&#27;&#99999999999;",
	    "ABC\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xe2\x80\x93\xef\xbf\xbd\xef\xbf\xbd\n" },
	{ "references without ';'", "&amp &#65 x", "& A x\n" },
	{ "not references", "AT&T &bogus; & &#; &#xZ;", "AT&T &bogus; & &#; &#xZ;\n" },
	{ "no-break spaces stay", "a&nbsp;&nbsp;b", "a  b\n" },
	{ "Latin letters", "Cr&egrave;me br&ucirc;l&eacute;e, Stra&szlig;e",
	    "Cr\xc3\xa8me br\xc3\xbbl\xc3\xa9" "e, Stra\xc3\x9f" "e\n" },
	{ "a bare '<'", "a < b and 3<4", "a < b and 3<4\n" },
	{ "a '<' that looks like a tag", "x<y and more", "x\n" },
	{ "unclosed tags", "<div><p>Unclosed <b>bold", "Unclosed bold\n" },
	{ "table", "<table><tr><th>Name</th><th>Qty</th></tr>"
	    "<tr><td>Apple</td><td>3</td></tr></table>", "Name | Qty\nApple | 3\n" },
	{ "rule", "a<hr>b", "a\n----------\nb\n" },
	{ "heading", "<h1>Title</h1>Text", "Title\n\nText\n" },
	{ "doctype and xml", "<!DOCTYPE html><?xml version=\"1.0\"?>x", "x\n" },
	{ "empty", "", "" },
	{ "only markup", "<div><span></span></div>", "" },
	{ "Outlook",
	    "<html xmlns:o=\"urn:schemas-microsoft-com:office:office\"><head>"
	    "<meta http-equiv=Content-Type content=\"text/html; charset=utf-8\">"
	    "<!--[if gte mso 9]><xml><o:shapedefaults v:ext=\"edit\"/></xml><![endif]-->"
	    "<style><!-- p.MsoNormal {margin:0cm;} --></style></head>"
	    "<body lang=EN-GB><div class=WordSection1>"
	    "<p class=MsoNormal>Hi Anna,<o:p></o:p></p>"
	    "<p class=MsoNormal><o:p>&nbsp;</o:p></p>"
	    "<p class=MsoNormal>The report is attached.<o:p></o:p></p>"
	    "<p class=MsoNormal>Regards,<br>Tom<o:p></o:p></p></div></body></html>",
	    "Hi Anna,\n\n \n\nThe report is attached.\n\nRegards,\nTom\n" },
	{ "Gmail",
	    "<div dir=\"ltr\">Hi Bob,<div><br></div><div>See you.</div></div><br>"
	    "<div class=\"gmail_quote\"><div dir=\"ltr\" class=\"gmail_attr\">"
	    "On Wed, 1 May 2024, Bob &lt;<a href=\"mailto:bob@x.example\">bob@x.example</a>&gt;"
	    " wrote:<br></div><blockquote class=\"gmail_quote\" style=\"margin:0px 0px 0px "
	    "0.8ex\">Question?<br>Second line</blockquote></div>",
	    "Hi Bob,\n\nSee you.\n\nOn Wed, 1 May 2024, Bob <bob@x.example> wrote:\n"
	    "> Question?\n> Second line\n" },
	{ "marketing",
	    "<table width=\"100%\" cellpadding=0><tr><td align=center>"
	    "<a href=\"https://t.example/c?u=1\"><img src=\"logo.png\" alt=\"ACME\" width=120></a>"
	    "</td></tr><tr><td><h2 style=\"font-size:20px\">Spring&nbsp;Sale &ndash; 20% off</h2>"
	    "<p>Use code <b>SPRING</b>.</p>"
	    "<a href=\"https://t.example/c?u=2\" style=\"background:#f00\">Shop&nbsp;now &rarr;</a>"
	    "</td></tr><tr><td><font size=1>Unsubscribe "
	    "<a href=\"https://t.example/u\">here</a>.</font>"
	    "<img src=\"https://t.example/open.gif\" width=1 height=1></td></tr></table>",
	    "[ACME] [https://t.example/c?u=1]\n\nSpring Sale \xe2\x80\x93 20% off\n\n"
	    "Use code SPRING.\n\nShop now \xe2\x86\x92 [https://t.example/c?u=2]\n"
	    "Unsubscribe here [https://t.example/u].\n" },
};

static void
test_cases(void)
{
	size_t i, j;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct html_text *h;
		struct buf out;
		const char *s;
		size_t n, len = strlen(cases[i].in);

		buf_init(&out, 1 << 20);
		tap_is_int(html_to_text(cases[i].in, len, &out), 0, "%s: converts", cases[i].name);
		tap_is_str(buf_ptr(&out), cases[i].want, "%s", cases[i].name);
		/* One byte at a time must give the same. */
		h = html_text_create(1 << 20);
		for (j = 0; j < len; j++)
			html_text_feed(h, cases[i].in + j, 1);
		html_text_finish(h);
		s = html_text_output(h, &n);
		tap_is_mem(s, n, buf_ptr(&out), buf_len(&out), "%s: byte by byte", cases[i].name);
		html_text_destroy(&h);
		tap_ok(h == NULL, "%s: destroy clears the pointer", cases[i].name);
		buf_free(&out);
	}
}

static void
test_bounds(void)
{
	struct html_text *h = html_text_create(10);
	struct buf out;
	const char *s;
	size_t n, i;
	char *deep;

	tap_is_int(html_text_feed(h, "<p>0123456789abcdef</p>", 23), -1, "output over the maximum fails");
	s = html_text_output(h, &n);
	tap_is_mem(s, n, "0123456789", 10, "and keeps what fit");
	tap_is_int(html_text_finish(h), -1, "finish reports it too");
	html_text_destroy(&h);

	/* Deep nesting: prefixes stop growing at the nesting limit. */
	deep = malloc(64 * 12 + 8);
	n = 0;
	for (i = 0; i < 64; i++) {
		memcpy(deep + n, "<blockquote>", 12);
		n += 12;
	}
	memcpy(deep + n, "x", 1);
	n++;
	buf_init(&out, 1 << 16);
	tap_is_int(html_to_text(deep, n, &out), 0, "64 nested quotes convert");
	tap_is_int((long long)buf_len(&out), 16 * 2 + 2, "with at most 16 quote marks");
	buf_free(&out);
	free(deep);

	/* A tag longer than HTML_TAG_MAX is still skipped whole. */
	deep = malloc(HTML_TAG_MAX * 2 + 16);
	memcpy(deep, "<a title=\"", 10);
	memset(deep + 10, 'x', HTML_TAG_MAX * 2);
	memcpy(deep + 10 + HTML_TAG_MAX * 2, "\">ok", 4);
	buf_init(&out, 1 << 16);
	html_to_text(deep, HTML_TAG_MAX * 2 + 14, &out);
	tap_is_str(buf_ptr(&out), "ok\n", "an overlong tag is skipped");
	buf_free(&out);
	free(deep);
}

int
main(void)
{
	test_cases();
	test_bounds();
	return tap_done();
}
