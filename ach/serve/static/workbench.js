// ach workbench: the evidence matrix, edited in place; every number comes from the server (ach.analyze).
// Plain JavaScript, no framework and no build step. User text is only ever set as textContent.
"use strict";
(() => {
  const TOKEN = document.querySelector('meta[name="ach-token"]').content;
  const FIRST = document.querySelector('meta[name="ach-first"]').content;
  const $ = (id) => document.getElementById(id);
  const S = {
    name: null, view: null, analysis: null, intervals: null, transposed: false, mode: "written",
    whatif: false, focus: null, inflight: 0, nav: [], timer: null,
  };

  // -- talking to the server ----------------------------------------------------------
  async function api(method, url, body) {
    const init = { method, headers: { "X-ACH-Token": TOKEN } };
    if (body !== undefined) { init.body = JSON.stringify(body); init.headers["Content-Type"] = "application/json"; }
    let response;
    try { response = await fetch(url, init); } catch (e) {
      return { ok: false, status: 0, data: { error: "the server does not answer: is ach serve still running?", location: {} } };
    }
    let data = {};
    try { data = await response.json(); } catch (e) { data = { error: `the server answered ${response.status}` }; }
    return { ok: response.ok, status: response.status, data };
  }
  const caseQuery = (extra = "") => `?case=${encodeURIComponent(S.name)}${extra}`;

  // -- small helpers --------------------------------------------------------------------
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (k.startsWith("data-")) node.setAttribute(k, v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c);
    return node;
  }
  const pct = (p) => `${(100 * p).toFixed(1)}%`;
  const shown = (v) => (v === "" || v === null || v === undefined ? "" : String(v));
  function banner(message, kind = "", link = null) {
    const b = $("banner");
    b.replaceChildren(document.createTextNode(message), ...(link ? [" ", link] : []));
    b.className = `banner ${kind}`; b.hidden = !message;
  }
  function svg(tag, attrs = {}, text = null) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== null) node.textContent = text;
    return node;
  }

  // -- loading ---------------------------------------------------------------------------
  async function listCases(select) {
    const r = await api("GET", "/api/cases");
    if (!r.ok) return banner(r.data.error, "error");
    const picker = $("case-picker");
    picker.replaceChildren(...r.data.cases.map((n) => el("option", { value: n, text: n })));
    const name = select || S.name || FIRST || r.data.cases[0];
    if (!name) return banner(`No case files in ${r.data.root}: start one with “New case…”.`);
    picker.value = name;
    await openCase(name);
  }

  async function openCase(name) {
    S.name = name; S.intervals = null;
    const [v, a] = await Promise.all([api("GET", "/api/case" + caseQuery(S.whatif ? "&whatif=1" : "")),
      api("GET", "/api/analysis" + caseQuery(S.whatif ? "&whatif=1" : ""))]);
    if (!v.ok || !a.ok) { // a file with errors: say them, and look again when it changes
      S.view = null; S.broken = (await api("GET", "/api/version" + caseQuery())).data.version;
      $("matrix").replaceChildren(); $("posterior").replaceChildren();
      return showProblems(v.ok ? a.data : v.data);
    }
    S.view = v.data; S.analysis = a.data; S.whatif = v.data.whatif;
    render();
    askIntervals();
  }

  async function refreshView() {
    const v = await api("GET", "/api/case" + caseQuery(S.whatif ? "&whatif=1" : ""));
    if (v.ok) { S.view = v.data; render(); }
  }

  function askIntervals() {
    clearTimeout(S.timer);
    S.timer = setTimeout(async () => {
      const version = S.analysis && S.analysis.case.sha256;
      const r = await api("GET", "/api/analysis" + caseQuery("&intervals=1" + (S.whatif ? "&whatif=1" : "")));
      if (r.ok && S.analysis && !S.inflight && r.data.case.sha256 === version) { S.intervals = r.data.bayes; renderPosterior(); }
    }, 900);
  }

  // -- the matrix ----------------------------------------------------------------------
  function woe(item, hyp) {
    const row = (S.analysis.evidence || []).find((e) => e.id === item);
    return row ? row.woe_db[hyp] : null;
  }
  function shade(db) {
    if (db === null || db === undefined) return "";
    const a = Math.min(Math.abs(db) / 8, 1) * 0.5;
    return `rgba(${db >= 0 ? "29, 78, 216" : "200, 30, 30"}, ${a.toFixed(3)})`;
  }
  function cellText(item, hyp, kind) {
    const raw = shown(item.ratings[hyp]);
    if (S.mode !== "number" || kind === "candidate") return raw;
    const inputs = S.analysis.inputs.evidence[item.id];
    const m = inputs && inputs.likelihood[hyp];
    return m === undefined || m === null ? raw : m.toFixed(2);
  }
  function cell(item, hyp, kind) {
    const text = cellText(item, hyp, kind);
    const why = (item.why || {})[hyp];
    const td = el("td", {
      class: `cell${/^na$/i.test(shown(item.ratings[hyp])) ? " na" : ""}`, tabindex: "-1", role: "gridcell",
      "data-item": item.id, "data-hypothesis": hyp, "data-kind": kind, "data-value": shown(item.ratings[hyp]),
      title: why ? `why: ${why}` : null,
    }, text, why ? el("span", { class: "why-mark", text: "✎" }) : null);
    if (kind === "evidence") td.style.background = shade(woe(item.id, hyp));
    return td;
  }
  function field(kind, id, name, value, label) {
    return el("td", { class: "field", tabindex: "-1", "data-field": name, "data-target": id, "data-kind": kind,
      "data-value": shown(value), title: label }, shown(value) || "—");
  }
  function rm(kind, id) {
    return el("button", { class: "rm", type: "button", title: `Remove ${kind} ${id}`, "aria-label": `Remove ${id}`,
      onclick: (e) => { e.stopPropagation(); removeEntry(kind, id); } }, "×");
  }
  function itemHead(item, kind) {
    return el("th", { class: "item", tabindex: "-1", "data-entry": item.id, "data-kind": kind, scope: "row" },
      el("span", { class: "id", text: item.id }), rm(kind, item.id), el("span", { class: "text", text: item.text }));
  }
  function hypHead(h) {
    return el("th", { class: "colhead", scope: "col", title: h.description || h.title, "data-entry": h.id, "data-kind": "hypothesis" },
      h.id, rm("hypothesis", h.id), el("span", { class: "sub", text: h.title }));
  }
  function grouped() {
    const groups = new Map();
    for (const e of S.view.evidence) { if (!groups.has(e.source)) groups.set(e.source, []); groups.get(e.source).push(e); }
    return [...groups.entries()].map(([sid, items]) => ({ source: S.view.sources.find((s) => s.id === sid) || { id: sid, title: sid }, items }));
  }
  const hindsight = () => new Set((S.analysis.judgment || {}).hindsight_items || []);

  function renderMatrix() {
    const v = S.view, hyps = v.hypotheses, late = hindsight();
    const table = el("table", { class: "grid" });
    S.nav = [];
    if (!S.transposed) {
      table.append(el("thead", {}, el("tr", {}, el("th", { class: "item", text: "Evidence" }), el("th", { text: "Cred." }), ...hyps.map(hypHead)),
        (row(), el("tr", {}, el("th", { class: "item", text: v.priors_given ? "Prior weight" : "Prior (uniform)" }), el("th"),
          ...hyps.map((h, j) => nav(field("hypothesis", h.id, "prior", h.prior, `prior weight of ${h.id}`), j + 2))))));
      const body = el("tbody");
      for (const g of grouped()) {
        const rel = field("source", g.source.id, "reliability", g.source.reliability, `reliability of ${g.source.id}`);
        row();
        body.append(el("tr", { class: "group" }, el("th", { class: "item" }, g.source.title || g.source.id, " ", g.source.listed ? rm("source", g.source.id) : null),
          nav(rel, 1), el("td", { colspan: hyps.length, class: "muted", text: `reliability of ${g.source.id}` })));
        for (const e of g.items) {
          row();
          body.append(el("tr", { class: late.has(e.id) ? "hindsight" : "" }, nav(itemHead(e, "evidence"), 0),
            nav(field("evidence", e.id, "credibility", e.credibility, `credibility of ${e.id}`), 1),
            ...hyps.map((h, j) => nav(cell(e, h.id, "evidence"), j + 2))));
        }
      }
      if (v.collection.length) {
        body.append(el("tr", { class: "group" }, el("th", { class: "item", text: "Candidate observations (what to collect)" }), el("td", { colspan: hyps.length + 1 })));
        for (const c of v.collection) {
          row();
          body.append(el("tr", {}, nav(itemHead(c, "candidate"), 0), el("td"), ...hyps.map((h, j) => nav(cell(c, h.id, "candidate"), j + 2))));
        }
      }
      table.append(body);
    } else {
      const items = grouped().flatMap((g) => g.items);
      table.append(el("thead", {},
        el("tr", {}, el("th", { class: "item", text: "Hypothesis" }), el("th", { text: "Prior" }),
          ...items.map((e) => el("th", { class: "colhead", title: e.text, "data-entry": e.id }, e.id, el("span", { class: "sub", text: e.source })))),
        (row(), el("tr", {}, el("th", { class: "item", text: "Credibility" }), el("th"),
          ...items.map((e, j) => nav(field("evidence", e.id, "credibility", e.credibility, `credibility of ${e.id}`), j + 2))))));
      const body = el("tbody");
      for (const h of hyps) {
        row();
        body.append(el("tr", {}, nav(el("th", { class: "item", tabindex: "-1", "data-entry": h.id, "data-kind": "hypothesis" },
          el("span", { class: "id", text: h.id }), el("span", { class: "text", text: h.title })), 0),
        nav(field("hypothesis", h.id, "prior", h.prior, `prior weight of ${h.id}`), 1),
        ...items.map((e, j) => nav(cell(e, h.id, "evidence"), j + 2))));
      }
      table.append(body);
    }
    $("matrix").replaceChildren(table);
    restoreFocus();
  }
  // The keyboard grid: S.nav[row][column]; row() starts a row, nav() places a node in it.
  function row() { S.nav.push([]); }
  function nav(node, column) {
    S.nav[S.nav.length - 1][column] = node;
    node.dataset.r = S.nav.length - 1; node.dataset.c = column;
    return node;
  }
  function keyOf(node) { return node && [node.dataset.item, node.dataset.hypothesis, node.dataset.field, node.dataset.target, node.dataset.entry].join("|"); }
  function restoreFocus() {
    if (!S.focus) return;
    const node = [...$("matrix").querySelectorAll("[data-r]")].find((n) => keyOf(n) === S.focus);
    if (node) { node.tabIndex = 0; node.focus({ preventScroll: true }); showDetails(node); }
  }
  function move(node, dr, dc) {
    let r = +node.dataset.r, c = +node.dataset.c;
    for (let step = 0; step < S.nav.length + 200; step++) {
      r += dr; c += dc;
      if (r < 0 || r >= S.nav.length) return;
      const row = S.nav[r];
      if (dc !== 0) { if (c < 0 || c >= row.length) return; if (row[c]) return select(row[c]); continue; }
      if (row[c]) return select(row[c]); // rows with nothing in this column (a source's row) are skipped
    }
  }
  function select(node) {
    for (const n of $("matrix").querySelectorAll('[tabindex="0"]')) n.tabIndex = -1;
    node.tabIndex = 0; node.focus(); S.focus = keyOf(node);
    showDetails(node);
  }

  // -- editing a cell or a field in place ----------------------------------------------
  function startEdit(node) {
    if (node.querySelector("input")) return;
    const before = node.dataset.value || "";
    const input = el("input", { type: "text", value: before, "aria-label": node.title || "value", list: node.classList.contains("cell") ? "rating-words" : null, autocomplete: "off" });
    const keep = [...node.childNodes];
    node.replaceChildren(input);
    input.focus(); input.select();
    let done = false;
    const finish = (commit) => {
      if (done) return; done = true;
      const value = input.value.trim();
      node.replaceChildren(...keep);
      node.focus();
      if (commit && value !== before && value !== "") submit(bodyFor(node, value), node);
    };
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === "Tab") { e.preventDefault(); e.stopPropagation(); finish(true); if (e.key === "Tab") move(node, 0, e.shiftKey ? -1 : 1); }
      else if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); finish(false); }
      else e.stopPropagation();
    });
    input.addEventListener("blur", () => finish(true));
  }
  function bodyFor(node, value) {
    if (node.classList.contains("cell")) {
      const body = { op: "rate", item: node.dataset.item, hypothesis: node.dataset.hypothesis, value };
      if (node.dataset.kind === "candidate") body.kind = "candidate";
      return body;
    }
    return { op: "set", id: node.dataset.target, [node.dataset.field]: value, kind: node.dataset.kind === "evidence" ? undefined : node.dataset.kind };
  }

  async function submit(body, node = null, after = null) {
    body.case = S.name; body.version = S.view.version;
    if (S.whatif) body.whatif = true;
    for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
    clearCellErrors();
    clearTimeout(S.timer); // the intervals of the file as it was are no longer wanted
    S.inflight++;
    $("bottom-line").classList.add("saving");
    const sent = performance.now();
    const edit = api("POST", "/api/edit", body);
    api("POST", "/api/preview", body).then((p) => {
      if (p.ok && p.data.preview && S.inflight) renderPosterior(p.data.preview);
    });
    const r = await edit;
    S.inflight--;
    $("bottom-line").classList.remove("saving");
    if (!r.ok) {
      renderPosterior();
      if (r.status === 409) { banner("The file changed on disk since the page read it, so nothing was written; the page has reloaded it. Look again, then redo the edit.", "error"); await openCase(S.name); return false; }
      showRefusal(r.data, node);
      return false;
    }
    window.achLastEdit = { ms: performance.now() - sent };
    S.analysis = r.data; S.intervals = null;
    banner(r.data.edit && r.data.edit.warnings.length ? r.data.edit.warnings.map((w) => w.message).join(" · ") : "");
    renderPosterior(); renderPanels(); renderHead(); renderButtons(r.data.edit);
    await refreshView();
    if (after) after();
    askIntervals();
    return true;
  }
  function clearCellErrors() { for (const n of document.querySelectorAll(".cell-error")) n.remove(); for (const n of document.querySelectorAll(".refused")) n.classList.remove("refused"); }
  function showRefusal(data, node) {
    const where = data.location && data.location.line ? ` (${data.location.file}:${data.location.line}${data.location.field ? ", " + data.location.field : ""})` : "";
    const message = `${data.error}${where}${data.hint ? ". " + data.hint : ""}`;
    if (node && node.isConnected) {
      node.classList.add("refused");
      const said = el("div", { class: "cell-error", role: "alert", text: message });
      node.append(said);
      said.scrollIntoView({ block: "nearest" });
    } else if ($("form-dialog").open) {
      $("form-error").textContent = message;
    } else banner(message, "error");
  }
  function showProblems(data) {
    const list = data.problems || [data];
    $("problems").replaceChildren(el("p", { class: "error", text: "This case file has problems, so it cannot be analysed. Fix them in the file; the page reloads it." }),
      ...list.map((d) => el("div", { class: d.level === "warning" ? "warning" : "error", text: `${d.file || ""}${d.line ? ":" + d.line : ""} ${d.field ? d.field + ": " : ""}${d.message || d.error}${d.hint ? " — " + d.hint : ""}` })));
  }

  // -- the side panels -----------------------------------------------------------------
  function renderPosterior(preview = null, pending = false) {
    const a = S.analysis; if (!a) return;
    const post = preview ? preview.posterior : a.exact.posterior, terms = preview ? preview.terms : a.exact.terms;
    const leading = preview ? preview.leading : a.leading;
    const before = a.whatif ? a.whatif.before : null;
    const hdi = !preview && S.intervals ? S.intervals.hdi90 : null;
    const titles = Object.fromEntries(S.view.hypotheses.map((h) => [h.id, h.title]));
    $("posterior").replaceChildren(...a.hypotheses.map((h) => {
      const bar = el("div", { class: "bar-bg" }, el("div", { class: "bar-fg", style: `width:${(100 * post[h]).toFixed(2)}%` }));
      if (before) bar.append(el("div", { class: "bar-old", style: `left:${(100 * before[h]).toFixed(2)}%`, title: `before the what-if: ${pct(before[h])}` }));
      if (hdi) bar.append(el("div", { class: "hdi", style: `left:${(100 * hdi[h][0]).toFixed(2)}%;width:${(100 * (hdi[h][1] - hdi[h][0])).toFixed(2)}%` }));
      let term = terms[h];
      if (hdi) term += ` · 90% interval ${pct(hdi[h][0])}–${pct(hdi[h][1])}`;
      if (before) term += ` · was ${pct(before[h])}`;
      return el("div", { class: `post-row${h === leading ? " leading" : ""}`, title: titles[h] },
        el("span", { class: "hid", text: h }), bar, el("span", { class: "pct", "data-posterior": h, text: pct(post[h]) }),
        el("span", { class: "term", text: term }));
    }));
    $("sampler").textContent = pending ? "(saving…)" : S.intervals ? `(intervals: ${S.intervals.sampler} draws)` : "(exact)";
  }
  function renderHead() {
    const v = S.view, a = S.analysis;
    $("handling").textContent = v.handling; $("title").textContent = v.title || v.name;
    $("question").textContent = v.question + (v.as_of ? ` (as of ${v.as_of})` : "");
    $("bottom-line").textContent = a.bottom_line;
    $("whatif-bar").hidden = !S.whatif;
    $("whatif").setAttribute("aria-pressed", String(S.whatif));
    $("whatif-changes").textContent = a.whatif && a.whatif.changes.length ? a.whatif.changes.join("; ") : "";
    const words = $("rating-words") || document.body.appendChild(el("datalist", { id: "rating-words" }));
    words.replaceChildren(...v.rating_words.map((w) => el("option", { value: w })));
    $("problems").replaceChildren(...v.warnings.map((d) => el("div", { class: "warning", text: `warning: ${d.field ? d.field + ": " : ""}${d.message}` })));
  }
  function renderButtons(edit) {
    const counts = edit || S.view;
    $("undo").disabled = !(S.whatif || counts.undo); $("redo").disabled = !(S.whatif || counts.redo);
  }
  function list(rows) { return rows.length ? el("ol", { class: "list" }, ...rows.map((r) => el("li", {}, r))) : el("p", { class: "muted", text: "none" }); }
  function renderPanels() {
    const a = S.analysis, s = a.sensitivity || {};
    const loo = (s.leave_one_out && s.leave_one_out.ranked) || [];
    $("linchpins").replaceChildren(list(loo.slice(0, 6).map((r) =>
      `${r.linchpin ? "Linchpin: " : ""}without ${r.kind} ${r.id}, ${a.leading} would be ${pct(r.p_leader)} (${r.change >= 0 ? "+" : ""}${(100 * r.change).toFixed(1)} points)${r.leader !== a.leading ? `; ${r.leader} would lead` : ""}`)));
    renderTornado((s.tornado || []).slice(0, 8), a.exact.posterior[a.leading]);
    renderTimeline(s.timeline);
    const text = Object.fromEntries(S.view.collection.map((c) => [c.id, c.text]));
    const cands = ((a.collection || {}).candidates || []).slice().sort((x, y) => y.info_gain_bits - x.info_gain_bits);
    $("collection").replaceChildren(list(cands.slice(0, 6).map((c) =>
      `${c.id} (${c.info_gain_bits.toFixed(2)} bits): ${text[c.id] || ""} If seen, ${c.leader_if_observed} leads (${pct(c.posterior_if_observed[c.leader_if_observed])}); if not, ${c.leader_if_not}.`)));
  }
  function renderTornado(rows, base) {
    if (!rows.length) return $("tornado").replaceChildren(el("p", { class: "muted", text: "nothing uncertain to vary" }));
    const W = 330, left = 140, h = 18, H = rows.length * h + 24, x = (p) => left + p * (W - left - 8);
    const g = svg("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "tornado" });
    rows.forEach((r, i) => {
      const lo = Math.min(r.p_low, r.p_high), hi = Math.max(r.p_low, r.p_high), y = 4 + i * h;
      const label = svg("text", { x: left - 4, y: y + 12, "text-anchor": "end" }, r.input.length > 21 ? r.input.slice(0, 20) + "…" : r.input);
      label.append(svg("title", {}, r.input)); // the whole input on hover
      g.append(label);
      g.append(svg("rect", { x: x(lo), y: y + 2, width: Math.max(x(hi) - x(lo), 1), height: h - 6, fill: "rgb(29,78,216)", opacity: 0.55 }));
    });
    g.append(svg("line", { x1: x(base), x2: x(base), y1: 0, y2: H - 18, stroke: "#111" }));
    for (const p of [0, 0.5, 1]) g.append(svg("text", { x: x(p), y: H - 4, "text-anchor": "middle" }, pct(p).replace(".0", "")));
    $("tornado").replaceChildren(g, el("p", { class: "muted", text: `P(${S.analysis.leading}) as each input goes from its low to its high value; the line is now.` }));
  }
  function renderTimeline(t) {
    if (!t || !t.dates || t.dates.length < 2) return $("timeline").replaceChildren(el("p", { class: "muted", text: "the items carry fewer than two dates" }));
    const W = 330, H = 150, L = 30, B = 20, n = t.dates.length, hyps = Object.keys(t.posterior);
    const x = (i) => L + (i * (W - L - 10)) / (n - 1), y = (p) => 6 + (1 - p) * (H - B - 6);
    const colours = ["#1d4ed8", "#c81e1e", "#0f766e", "#a16207", "#6d28d9", "#be185d", "#334155"];
    const g = svg("svg", { width: W, height: H + 14 * Math.ceil(hyps.length / 4), role: "img", "aria-label": "timeline" });
    for (const p of [0, 0.5, 1]) { g.append(svg("line", { x1: L, x2: W - 10, y1: y(p), y2: y(p), stroke: "#d9e2ec" })); g.append(svg("text", { x: L - 4, y: y(p) + 4, "text-anchor": "end" }, `${100 * p}%`)); }
    hyps.forEach((h, k) => {
      g.append(svg("polyline", { fill: "none", stroke: colours[k % colours.length], "stroke-width": 2, points: t.posterior[h].map((p, i) => `${x(i)},${y(p)}`).join(" ") }));
      g.append(svg("text", { x: L + (k % 4) * 75, y: H + 10 + 14 * Math.floor(k / 4), fill: colours[k % colours.length] }, `— ${h}`));
    });
    g.append(svg("text", { x: L, y: H - 4 }, t.dates[0])); g.append(svg("text", { x: W - 10, y: H - 4, "text-anchor": "end" }, t.dates[n - 1]));
    $("timeline").replaceChildren(g);
  }
  function showDetails(node) {
    const v = S.view, box = $("detail-body");
    const id = node.dataset.item || node.dataset.entry || node.dataset.target;
    const item = v.evidence.find((e) => e.id === id) || v.collection.find((c) => c.id === id);
    const source = v.sources.find((s) => s.id === (item ? item.source : id));
    const hyp = v.hypotheses.find((h) => h.id === (node.dataset.hypothesis || id));
    const rows = [];
    const add = (k, val) => { if (val !== "" && val !== null && val !== undefined) rows.push(el("dt", { text: k }), el("dd", {}, val)); };
    if (item) {
      add("Item", `${item.id}: ${item.text}`);
      if (source) add("Source", `${source.title} (reliability ${shown(source.reliability)})`);
      add("Credibility", shown(item.credibility)); add("Date", item.date); add("Type", item.type);
      if (item.citation) {
        const c = item.citation;
        add("Report", c.title ? `${c.title} (${c.report})` : c.report);
        add("Quote", c.quote ? `“${c.quote}”` : "");
        add("Address", c.link ? el("a", { href: c.link, target: "_blank", rel: "noopener noreferrer", text: c.link }) : c.url);
      }
      add("Notes", item.notes);
    } else if (source) { add("Source", source.title); add("Reliability", shown(source.reliability)); add("Confidence", source.confidence); add("Notes", source.notes); }
    if (hyp) add("Hypothesis", `${hyp.id}: ${hyp.title}${hyp.description ? " — " + hyp.description : ""}`);
    const parts = [el("dl", { class: "detail" }, ...rows)];
    const editable = item && v.evidence.includes(item) ? ["evidence", item, ["text", "date", "type", "relevance", "notes"]]
      : item ? ["candidate", item, ["text", "notes"]] : source && source.listed ? ["source", source, ["title", "confidence", "notes"]]
        : hyp ? ["hypothesis", hyp, ["title", "description"]] : null;
    if (editable) {
      const [kind, entry, names] = editable;
      parts.push(el("button", { type: "button", onclick: () => editEntry(kind, entry, names) }, `Edit ${kind} ${entry.id}…`));
    }
    if (node.classList.contains("cell") && item) {
      const h = node.dataset.hypothesis, why = el("textarea", { class: "why", "aria-label": "why this rating" });
      why.value = (item.why || {})[h] || "";
      parts.push(el("p", {}, el("strong", { text: `${item.id} under ${h}: ` }), shown(item.ratings[h])),
        el("label", { text: "Why (the comment on the cell's line)" }), why,
        el("button", { type: "button", onclick: () => submit({ op: "rate", item: item.id, hypothesis: h, value: String(item.ratings[h]), why: why.value, kind: node.dataset.kind === "candidate" ? "candidate" : undefined }, node) }, "Save why"));
    }
    box.replaceChildren(...parts);
  }
  function render() { renderHead(); renderMatrix(); renderPosterior(); renderPanels(); renderButtons(); }

  // -- forms: add, remove, new case ----------------------------------------------------
  function form(title, fields, onok) {
    $("form-title").textContent = title; $("form-error").textContent = "";
    $("form-fields").replaceChildren(...fields.map((f) => el("label", {}, f.label,
      f.options ? el("select", { name: f.name }, ...f.options.map((o) => el("option", { value: o[0], text: o[1] })))
        : Object.assign(el(f.area ? "textarea" : "input", { name: f.name, placeholder: f.placeholder || "", required: f.required }), { value: f.value || "" }))));
    const dialog = $("form-dialog");
    $("form-ok").onclick = async (e) => {
      e.preventDefault();
      const values = Object.fromEntries([...$("form-fields").querySelectorAll("[name]")].map((n) => [n.name, n.value.trim()]));
      if (await onok(values)) dialog.close();
    };
    $("form-cancel").onclick = () => dialog.close();
    dialog.showModal();
  }
  const drop = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== ""));
  function editEntry(kind, entry, names) {
    form(`Edit ${kind} ${entry.id}`, names.map((n) => ({ name: n, label: n, value: shown(entry[n]), area: n === "text" || n === "notes" || n === "description" })),
      (f) => {
        const changed = Object.fromEntries(Object.entries(f).filter(([k, val]) => val !== shown(entry[k]) && val !== ""));
        const unset = Object.keys(f).filter((k) => f[k] === "" && shown(entry[k]) !== "" && k !== "text" && k !== "title");
        if (!Object.keys(changed).length && !unset.length) return true;
        return submit({ op: "set", id: entry.id, kind, ...changed, ...(unset.length ? { unset } : {}) });
      });
  }
  function removeEntry(kind, id) {
    if (window.confirm(`Remove ${kind} ${id} from the case file?${kind === "hypothesis" ? " Its cell goes from every item." : ""}`)) submit({ op: "rm", id, kind });
  }
  function wire() {
    $("case-picker").addEventListener("change", (e) => openCase(e.target.value));
    $("cell-mode").addEventListener("change", (e) => { S.mode = e.target.value; renderMatrix(); });
    $("transpose").addEventListener("click", (e) => { S.transposed = !S.transposed; e.target.setAttribute("aria-pressed", String(S.transposed)); renderMatrix(); });
    $("undo").addEventListener("click", () => step("undo"));
    $("redo").addEventListener("click", () => step("redo"));
    $("whatif").addEventListener("click", () => whatif(S.whatif ? "drop" : "start"));
    $("whatif-keep").addEventListener("click", () => whatif("keep"));
    $("whatif-drop").addEventListener("click", () => whatif("drop"));
    $("report").addEventListener("click", writeReport);
    $("new-case").addEventListener("click", () => form("New case", [
      { name: "name", label: "File name", placeholder: "my-case.yaml", required: true },
      { name: "question", label: "Question", placeholder: "Who fired the rockets?", required: true },
      { name: "hypotheses", label: "Hypotheses, one per line: ID: title", area: true, placeholder: "KH: Kataib Hezbollah\nISIS: The Islamic State" }],
    async (f) => {
      const hypotheses = f.hypotheses.split("\n").filter((l) => l.trim()).map((l) => { const [id, ...t] = l.split(":"); return { id: id.trim(), title: t.join(":").trim() || id.trim() }; });
      const r = await api("POST", "/api/new", { name: f.name, question: f.question, hypotheses });
      if (!r.ok) { showRefusal(r.data, null); return false; }
      await listCases(f.name); return true;
    }));
    const sources = () => [["", "(no source)"], ...S.view.sources.filter((s) => s.listed).map((s) => [s.id, `${s.id}: ${s.title}`])];
    $("add-item").addEventListener("click", () => form("New evidence item", [
      { name: "text", label: "What was reported or observed", area: true, required: true }, { name: "source", label: "Source", options: sources() },
      { name: "date", label: "Date (YYYY-MM-DD)" }, { name: "credibility", label: "Credibility (low/medium/high, a number, or 1-6)" }],
    (f) => submit({ op: "add", kind: "evidence", ...drop(f) })));
    $("add-source").addEventListener("click", () => form("New source", [
      { name: "id", label: "Id", required: true }, { name: "title", label: "Title" },
      { name: "reliability", label: "Reliability (low/medium/high, a number, or Admiralty A-F)", required: true }],
    (f) => submit({ op: "add", kind: "source", ...drop(f) })));
    $("add-hypothesis").addEventListener("click", () => form("New hypothesis", [
      { name: "id", label: "Id", required: true }, { name: "title", label: "Title", required: true },
      ...(S.view.priors_given ? [{ name: "prior", label: "Prior weight", required: true }] : []),
      { name: "default_rating", label: "Rating for every item and candidate until you rate them (blank: NA for items)", placeholder: "e.g. N" }],
    (f) => submit({ op: "add", kind: "hypothesis", ...drop(f) })));
    $("add-candidate").addEventListener("click", () => form("New candidate observation", [
      { name: "text", label: "What could be collected", area: true, required: true },
      ...S.view.hypotheses.map((h) => ({ name: `r:${h.id}`, label: `How likely would it be seen if ${h.id}?`, placeholder: "e.g. likely, 0.3" }))],
    (f) => {
      const ratings = {}; for (const h of S.view.hypotheses) if (f[`r:${h.id}`]) ratings[h.id] = f[`r:${h.id}`];
      return submit({ op: "add", kind: "candidate", text: f.text, ratings });
    }));
    $("matrix").addEventListener("click", (e) => {
      const node = e.target.closest("[data-r]");
      if (!node || e.target.closest("input,button")) return;
      select(node);
      if (node.classList.contains("cell") || node.classList.contains("field")) startEdit(node);
    });
    $("matrix").addEventListener("keydown", (e) => {
      const node = e.target.closest("[data-r]"); if (!node) return;
      const arrows = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
      if (arrows[e.key]) { e.preventDefault(); move(node, ...arrows[e.key]); }
      else if (e.key === "Enter" && (node.classList.contains("cell") || node.classList.contains("field"))) { e.preventDefault(); startEdit(node); }
      else if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey && (node.classList.contains("cell") || node.classList.contains("field"))) {
        e.preventDefault(); startEdit(node); const input = node.querySelector("input"); input.value = e.key; // type-ahead: start typing to rate
      }
    });
    document.addEventListener("keydown", (e) => {
      if (e.target.closest && e.target.closest("input,textarea,dialog")) return;
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "z") { e.preventDefault(); step(e.shiftKey ? "redo" : "undo"); }
      else if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "y") { e.preventDefault(); step("redo"); }
    });
    setInterval(watch, 1500);
  }
  async function step(which) {
    const r = await api("POST", `/api/${which}`, { case: S.name });
    if (!r.ok) { if (r.status === 409) { banner(`${r.data.error}: the page reloaded the file.`, "error"); return openCase(S.name); } return banner(r.data.error, "error"); }
    banner(""); S.analysis = r.data; S.intervals = null; await refreshView(); askIntervals();
  }
  async function whatif(action) {
    const r = await api("POST", `/api/whatif/${action}`, { case: S.name });
    if (!r.ok) return banner(`${r.data.error}${r.data.hint ? ". " + r.data.hint : ""}`, "error");
    S.whatif = action === "start"; banner(action === "keep" ? "The what-if edits are saved." : "");
    await openCase(S.name);
  }
  async function writeReport() {
    // The tab is opened now, while the click still counts as the user's (a pop-up blocker lets it through),
    // and shows the report once it is written; it is the server's own page, read-only.
    const tab = window.open("", "_blank");
    if (tab) { tab.opener = null; tab.document.title = "Writing the report…"; tab.document.body.textContent = "Writing the report…"; }
    banner("Writing the report (exact draws for the intervals, then the figures)…");
    const r = await api("POST", "/api/report", { case: S.name });
    if (!r.ok) { if (tab) tab.close(); return banner(r.data.error, "error"); }
    if (tab) tab.location.href = r.data.url;
    banner(`${r.data.bottom_line} Report written to ${r.data.html} in the served folder.`, "", el("a", { href: r.data.url, target: "_blank", rel: "noopener", text: "Open the report" }));
  }
  async function watch() {
    if (S.name && !S.view && !S.inflight) { // the file had errors: reload once it has changed
      const r = await api("GET", "/api/version" + caseQuery());
      if (r.ok && r.data.version !== S.broken) { S.broken = r.data.version; await openCase(S.name); }
      return;
    }
    if (!S.name || S.inflight || !S.view || document.querySelector(".cell input, .field input")) return;
    const r = await api("GET", "/api/version" + caseQuery());
    if (r.ok && r.data.version !== S.view.version && !S.inflight) {
      banner("The file changed on disk (an editor, git pull?): the page has reloaded it.");
      await openCase(S.name);
    }
  }
  wire();
  listCases();
})();
