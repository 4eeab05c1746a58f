"""The differences between coursec and cmark-gfm that tests/fidelity allows,
each with its reason and the examples it covers (`file:number` of
tests/corpora/cmark-gfm-spec/). An entry's `fix` turns (coursec, cmark-gfm),
both normalized, into what must then be equal; `fix: None` allows the
example to differ as a whole (coursec stops with an error by design, or
renders a construct of its own). Everything not listed here must match."""
import re


def heading_ids(ours, ref):
    return re.sub(r'(<h[1-6]) id="[^"]*"', r"\1", ours), ref


def task_items(ours, ref):
    ours = ours.replace(' class="task-item"', "")
    # a box and its option's text are one <label> (the box's accessible
    # name); cmark-gfm writes the box before the item's first paragraph
    ours = re.sub(r"<p><label>(<input[^>]*>) ?", r"\1 <p>", ours)
    ours = ours.replace("<label>", "").replace("</label>", "")
    ours = ours.replace('disabled="disabled"', 'disabled=""').replace('checked="checked"', 'checked=""')
    return ours, ref


def scroll_regions(ours, ref):
    ours = re.sub(r'<div aria-label="[^"]*" class="table-scroll" role="region" tabindex="0">(<table>.*?</table>)</div>',
                  r"\1", ours, flags=re.S)
    return ours.replace('<pre tabindex="0">', "<pre>"), ref


def footnotes_a11y(ours, ref):
    ours = re.sub(r'<h2 class="visually-hidden">[^<]*</h2>', "", ours)
    return re.sub(r'aria-label="Back to content \d+"', 'aria-label="Back to content"', ours), ref


def table_alignment(ours, ref):
    return re.sub(r'style="text-align:(left|center|right)"', r'align="\1"', ours), ref


def media_paths(ours, ref):
    return re.sub(r'(src|href)="assets/media/modules/', r'\1="', ours), ref


def no_comments(ours, ref):
    ref = re.sub(r"<!--.*?-->", "", ref, flags=re.S)
    return ours, re.sub(r"\s+(</(?:p|li|h[1-6])>)", r"\1", ref).strip()


ALLOWED = {
    "heading-ids": {
        "reason": "every heading gets an id (SPEC §2.1): anchors for the contents, links and the EPUB nav",
        "fix": heading_ids,
        "examples": [
        "regression:4", "spec:10", "spec:29", "spec:32", "spec:36", "spec:37", "spec:38", "spec:41",
        "spec:42", "spec:43", "spec:44", "spec:45", "spec:46", "spec:47", "spec:48", "spec:49", "spec:50",
        "spec:51", "spec:52", "spec:53", "spec:54", "spec:56", "spec:59", "spec:60", "spec:61", "spec:65",
        "spec:66", "spec:72", "spec:73", "spec:85", "spec:111", "spec:183", "spec:184", "spec:197",
        "spec:206", "spec:207", "spec:208", "spec:210", "spec:278", "spec:667", "spec:668",
    ],
    },
    "task-items": {
        "reason": "task items carry class=\"task-item\" and XHTML boolean attributes (docs/markup.md), "
                  "the same markup in the site and the EPUB",
        "fix": task_items,
        "examples": [
        "extensions:26", "extensions:27", "extensions:28",
    ],
    },
    "scroll-regions": {
        "reason": "on the site a table scrolls inside a named region and a code block is focusable, so that "
                  "the keyboard reaches what is wider than a phone's screen (docs/markup.md)",
        "fix": scroll_regions,
        "examples": [
        "extensions:1", "extensions:2", "extensions:3", "extensions:4", "extensions:5", "extensions:6",
        "extensions:8", "extensions:9", "extensions:10", "extensions:11", "extensions:12", "extensions:13",
        "extensions:14", "extensions:15", "extensions:16", "extensions:23", "extensions:25",
        "regression:13", "spec:1", "spec:2", "spec:3", "spec:5", "spec:6", "spec:7", "spec:8", "spec:18",
        "spec:39", "spec:55", "spec:70", "spec:77", "spec:80", "spec:81", "spec:82", "spec:84", "spec:85",
        "spec:86", "spec:87", "spec:88", "spec:89", "spec:90", "spec:92", "spec:93", "spec:94", "spec:95",
        "spec:96", "spec:97", "spec:98", "spec:99", "spec:100", "spec:101", "spec:102", "spec:103",
        "spec:104", "spec:105", "spec:106", "spec:107", "spec:109", "spec:110", "spec:111", "spec:112",
        "spec:113", "spec:114", "spec:116", "spec:117", "spec:152", "spec:153", "spec:160", "spec:180",
        "spec:181", "spec:195", "spec:198", "spec:199", "spec:200", "spec:201", "spec:202", "spec:204",
        "spec:205", "spec:209", "spec:214", "spec:215", "spec:230", "spec:231", "spec:232", "spec:235",
        "spec:241", "spec:242", "spec:248", "spec:249", "spec:250", "spec:251", "spec:252", "spec:256",
        "spec:264", "spec:265", "spec:266", "spec:267", "spec:268", "spec:289", "spec:293", "spec:298",
        "spec:301", "spec:304", "spec:314", "spec:315", "spec:320", "spec:330", "spec:332",
    ],
    },
    "footnotes-a11y": {
        "reason": "the footnotes section has a heading only screen readers see (a section wants one for the "
                  "outline, the Nu checker warns without it), as GitHub writes it, and a later back link's "
                  "name holds the number it shows (WCAG 2.5.3; docs/markup.md)",
        "fix": footnotes_a11y,
        "examples": ["extensions:23", "regression:13"],
    },
    "table-alignment": {
        "reason": "column alignment is CSS (style=\"text-align\"), valid in HTML5 and EPUB 3 where align= is not",
        "fix": table_alignment,
        "examples": [
        "extensions:6", "spec:199",
    ],
    },
    "media-paths": {
        "reason": "images and linked course files are copied into the site and linked there "
                  "(assets/media/<path in the course>)",
        "fix": media_paths,
        "examples": [
        "spec:172", "spec:525", "spec:528", "spec:539", "spec:581", "spec:584", "spec:585", "spec:586", "spec:588",
    ],
    },
    "comments": {
        "reason": "HTML comments are written to no output (SPEC §11.2): a trainer's note in a comment must "
                  "not reach the learner",
        "fix": no_comments,
        "examples": [
        "extensions:22", "spec:146", "spec:148", "spec:152", "spec:288", "spec:289", "spec:644",
    ],
    },
    "absolute-images": {
        "reason": "an image outside the course folder is an error (SPEC §8.3): coursec copies images, and "
                  "never reads outside the course",
        "fix": None,
        "examples": [
        "spec:580", "spec:582", "spec:583", "spec:587", "spec:589", "spec:590", "spec:591", "spec:592",
        "spec:593", "spec:594", "spec:595", "spec:596", "spec:597", "spec:599",
    ],
    },
    "blank-syntax": {
        "reason": "`[[…]]` and runs of five or more `_` are worksheet blanks (SPEC §3, §11.4), also where "
                  "cmark-gfm would read a link reference or emphasis; in a reference definition they are an error",
        "fix": None,
        "examples": [
        "spec:460", "spec:477", "spec:556", "spec:567", "spec:598",
    ],
    },
    "unknown-elements": {
        "reason": "a tag that is not HTML, SVG, MathML or a custom element (`<bab>`, `<commit message here>`) "
                  "is shown as text, with a warning (SPEC §11.7)",
        "fix": None,
        "examples": [
        "extensions:22", "regression:6", "spec:133", "spec:170", "spec:500", "spec:532", "spec:544",
        "spec:632", "spec:633", "spec:634", "spec:642",
    ],
    },
}
