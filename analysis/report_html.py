"""report.html: the report as one self-contained page. The same lines as report.md, rendered here (headings,
paragraphs, pipe tables, emphasis, code), every PNG embedded as a data URI (the PDFs stay beside it, linked),
each table sortable by a click on its header (a few lines of inline script), and the provenance of the runs.
Nothing is fetched from the network: no external script, style sheet, font or image."""
import base64
import html
import re

STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 1100px; margin: 2em auto;
       padding: 0 1em; color: #222; }
h1, h2, h3 { line-height: 1.2; } h2 { border-bottom: 1px solid #ddd; padding-bottom: .2em; margin-top: 1.8em; }
table { border-collapse: collapse; margin: .8em 0; font-size: 13px; display: block; overflow-x: auto; }
th, td { border: 1px solid #ccc; padding: 3px 7px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; cursor: pointer; white-space: nowrap; } th:hover { background: #e6e6e6; }
tr:nth-child(even) td { background: #fafafa; }
img { max-width: 100%; height: auto; border: 1px solid #eee; }
code { background: #f3f3f3; padding: 0 3px; border-radius: 3px; font-size: 90%; }
.provenance { font-size: 13px; color: #555; }
"""

# Click a header to sort its table by that column (numbers as numbers; a second click reverses).
SCRIPT = """
document.querySelectorAll("table").forEach(function (table) {
  table.querySelectorAll("th").forEach(function (th, column) {
    th.title = "sort by this column";
    th.addEventListener("click", function () {
      var body = table.tBodies[0], rows = Array.from(body.rows), up = th.dataset.up !== "1";
      var key = function (row) {
        var text = row.cells[column] ? row.cells[column].textContent.trim() : "";
        var number = parseFloat(text.replace(/^[×~]/, ""));
        return isNaN(number) ? text : number;
      };
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        var order = (typeof x === typeof y) ? (x < y ? -1 : x > y ? 1 : 0) : (typeof x === "number" ? -1 : 1);
        return up ? order : -order;
      });
      th.dataset.up = up ? "1" : "0";
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
"""


def inline(text, figures_dir):
    """Escape, then the inline markdown the report writes: images, links, **bold**, *italic* and `code`."""
    out, last = [], 0
    for m in re.finditer(r"`([^`]*)`", text):  # code spans first: nothing inside them is markup
        out.append(markup(text[last:m.start()], figures_dir))
        out.append(f"<code>{html.escape(m.group(1))}</code>")
        last = m.end()
    out.append(markup(text[last:], figures_dir))
    return "".join(out)


LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)")


def markup(text, figures_dir):
    """Images and links are taken from the raw text (a figure by its plain file name in figures_dir, a link
    to a plain relative name: the report writes no other); everything else is escaped, then emphasised."""
    out, last = [], 0
    for m in LINK.finditer(text):
        image, label, target = m.group(1) == "!", m.group(2), m.group(3)
        local = re.fullmatch(r"[\w.-]+", target) is not None and (figures_dir / target).is_file()
        out.append(emphasis(html.escape(text[last:m.start()], quote=False)))
        if image and local and target.endswith(".png"):
            data = base64.b64encode((figures_dir / target).read_bytes()).decode()
            out.append(f'<img alt="{html.escape(label)}" src="data:image/png;base64,{data}">')
        elif not image and local:
            out.append(f'<a href="{html.escape(target)}">{emphasis(html.escape(label, quote=False))}</a>')
        else:
            out.append(emphasis(html.escape(m.group(0), quote=False)))
        last = m.end()
    out.append(emphasis(html.escape(text[last:], quote=False)))
    return "".join(out)


def emphasis(escaped):
    """**bold** and *italic*, where the markers touch words (`net.2.*` and `a * b` stay as they are)."""
    escaped = re.sub(r"\*\*(?=\S)([^*]+?)(?<=\S)\*\*", r"<strong>\1</strong>", escaped)
    return re.sub(r"(?<![\w.*])\*(?=\w)([^*]+?)(?<=[\w?.!)])\*(?![\w*])", r"<em>\1</em>", escaped)


def cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


def table(rows, figures_dir):
    head, body = cells(rows[0]), [cells(r) for r in rows[2:]]
    lines = ["<table><thead><tr>" + "".join(f"<th>{inline(c, figures_dir)}</th>" for c in head) + "</tr></thead>",
             "<tbody>"]
    lines += ["<tr>" + "".join(f"<td>{inline(c, figures_dir)}</td>" for c in row) + "</tr>" for row in body]
    return lines + ["</tbody></table>"]


def render(lines, figures_dir, title, provenance):
    """The page for report.md's `lines`; `provenance` is a list of (label, value) pairs."""
    body, k = [], 0
    while k < len(lines):
        line = lines[k]
        if line.startswith("|"):
            start = k
            while k < len(lines) and lines[k].startswith("|"):
                k += 1
            body += table(lines[start:k], figures_dir)
            continue
        heading = re.match(r"(#{1,4}) (.*)", line)
        if heading:
            level = len(heading.group(1))
            body.append(f"<h{level}>{inline(heading.group(2), figures_dir)}</h{level}>")
        elif line.strip():
            body.append(f"<p>{inline(line, figures_dir)}</p>")
        k += 1
    facts = "".join(f"<li>{html.escape(label)}: {html.escape(str(value))}</li>" for label, value in provenance)
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>",
        *body,
        '<h2>Provenance</h2><ul class="provenance">' + facts + "</ul>",
        f"<script>{SCRIPT}</script>", "</body></html>", ""])


def provenance(sweep):
    """What made these runs: commits (with the dirty flag), hosts, BLAS kernels and LibTorch versions as the run
    files record them, and when the sweep was collected."""
    def values(name, show=str):
        seen = [r.group.attrs[name] for r in sweep.runs if r.group is not None and name in r.group.attrs]
        return ", ".join(dict.fromkeys(show(v) for v in seen)) or "–"

    def commit(run):
        dirty = " (dirty)" if int(run.group.attrs.get("git_dirty", 0)) else ""
        return str(run.group.attrs.get("git_commit", "unknown"))[:12] + dirty

    commits = dict.fromkeys(commit(r) for r in sweep.runs if r.group is not None)
    return [("experiment", f"{sweep.attrs['experiment']}, profile {sweep.attrs['profile']}"),
            ("collected", sweep.attrs["collected_at"]),
            ("commit", ", ".join(commits) or "–"),
            ("host", values("host")),
            ("BLAS kernel", values("version_blas_core")),
            ("LibTorch", values("version_libtorch")),
            ("device", values("device")),
            ("runs", f"{sweep.attrs['n_runs']} planned, {sweep.attrs['n_complete']} complete, "
                     f"{sweep.attrs['n_diverged']} diverged, {sweep.attrs['n_failed']} failed")]
