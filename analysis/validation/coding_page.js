"use strict";
// The coding page of `python -m analysis validate sample`: one unit at a time, codes kept in localStorage under the
// sample's id, downloaded as CSV (unit,code,coder). Every text is set with textContent, never parsed as HTML.
(function () {
  const data = JSON.parse(document.getElementById("units").textContent);
  const units = data.units;
  const codes = data.codes;
  const known = new Set(units.map((u) => u.unit));
  const storageKey = "zh-news-framing:coding:" + data.sample_id;
  const $ = (id) => document.getElementById(id);
  let storageWorks = true;

  function fresh() {
    return { coder: "", codes: {}, position: 0 };
  }

  function load() {
    let saved = null;
    try {
      saved = JSON.parse(window.localStorage.getItem(storageKey));
    } catch (e) {
      storageWorks = false;
      return fresh();
    }
    if (!saved || typeof saved !== "object") return fresh();
    const state = fresh();
    state.coder = typeof saved.coder === "string" ? saved.coder : "";
    if (saved.codes && typeof saved.codes === "object") {
      for (const [unit, code] of Object.entries(saved.codes)) {
        if (known.has(unit) && codes.includes(code)) state.codes[unit] = code;
      }
    }
    const p = saved.position;
    state.position = Number.isInteger(p) && p >= 0 && p < units.length ? p : 0;
    return state;
  }

  const state = load();

  function save() {
    try {
      window.localStorage.setItem(storageKey, JSON.stringify(state));
    } catch (e) {
      storageWorks = false;
    }
    $("storage-warning").hidden = storageWorks;
  }

  function nCoded() {
    return units.reduce((n, u) => n + (state.codes[u.unit] ? 1 : 0), 0);
  }

  // the code buttons, built once: "1 negative", "2 neutral", "3 positive" (or yes / no / unsure)
  const buttons = codes.map((code, i) => {
    const b = document.createElement("button");
    b.type = "button";
    b.dataset.code = code;
    const k = document.createElement("kbd");
    k.textContent = String(i + 1);
    b.append(k, document.createTextNode(code));
    b.addEventListener("click", () => setCode(code));
    $("codes").append(b);
    return b;
  });

  function render() {
    const u = units[state.position];
    $("position").textContent = "unit " + (state.position + 1) + " of " + units.length;
    const done = nCoded();
    $("done").textContent = done + " coded";
    $("progress").max = units.length;
    $("progress").value = done;
    $("coder").textContent = state.coder;
    $("unit-id").textContent = u.unit;
    $("before").textContent = u.before || "";
    $("after").textContent = u.after || "";
    const text = $("text");
    text.replaceChildren();
    const mark = document.createElement("mark");
    mark.className = "unit";
    if (u.text.length === 3) {
      const match = document.createElement("mark");
      match.className = "match";
      match.textContent = u.text[1];
      mark.append(document.createTextNode(u.text[0]), match, document.createTextNode(u.text[2]));
    } else {
      mark.textContent = u.text[0];
    }
    text.append(mark);
    const kwic = typeof u.term === "string";
    $("sense").hidden = !kwic;
    if (kwic) {
      $("term").textContent = u.term;
      $("category").textContent = u.category;
    }
    for (const b of buttons) b.setAttribute("aria-pressed", String(state.codes[u.unit] === b.dataset.code));
    $("back").disabled = state.position === 0;
    $("next").disabled = state.position === units.length - 1;
    $("next-uncoded").disabled = done === units.length;
    $("clear").disabled = !state.codes[u.unit];
    $("finished").hidden = done !== units.length;
  }

  function go(position) {
    state.position = Math.min(Math.max(position, 0), units.length - 1);
    save();
    render();
  }

  function setCode(code) {
    state.codes[units[state.position].unit] = code;
    if (state.position < units.length - 1) state.position += 1;
    save();
    render();
  }

  function clearCode() {
    delete state.codes[units[state.position].unit];
    save();
    render();
  }

  function nextUncoded() {
    for (let k = 1; k <= units.length; k++) {
      const i = (state.position + k) % units.length;
      if (!state.codes[units[i].unit]) return go(i);
    }
  }

  function csvField(value) {
    return /[",\r\n]|^\s|\s$/.test(value) ? '"' + value.replace(/"/g, '""') + '"' : value;
  }

  function download() {
    const lines = ["unit,code,coder"];
    for (const u of units) lines.push([u.unit, state.codes[u.unit] || "", state.coder].map(csvField).join(","));
    const blob = new Blob([lines.join("\n") + "\n"], { type: "text/csv;charset=utf-8" });
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    const who = state.coder.replace(/[^\p{L}\p{N}_-]+/gu, "_").replace(/^_+|_+$/g, "") || "coder";
    a.href = url;
    a.download = "codes-" + data.sample_id + "-" + who + ".csv";
    document.body.append(a);
    a.click();
    a.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  function askName() {
    $("coding").hidden = true;
    $("name-form").hidden = false;
    $("coder-name").value = state.coder;
    $("coder-name").focus();
  }

  $("name-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const name = $("coder-name").value.trim();
    if (!name) return;
    state.coder = name;
    save();
    $("name-form").hidden = true;
    $("coding").hidden = false;
    render();
  });
  $("change-name").addEventListener("click", askName);
  $("back").addEventListener("click", () => go(state.position - 1));
  $("next").addEventListener("click", () => go(state.position + 1));
  $("next-uncoded").addEventListener("click", nextUncoded);
  $("clear").addEventListener("click", clearCode);
  $("download").addEventListener("click", download);

  document.addEventListener("keydown", (event) => {
    if ($("coding").hidden || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA")) return;
    const i = ["1", "2", "3"].indexOf(event.key);
    if (i >= 0 && i < codes.length) setCode(codes[i]);
    else if (event.key === "0" || event.key === "Delete" || event.key === "Backspace") clearCode();
    else if (event.key === "ArrowLeft") go(state.position - 1);
    else if (event.key === "ArrowRight") go(state.position + 1);
    else return;
    event.preventDefault();
  });

  $("storage-warning").hidden = storageWorks;
  if (state.coder) {
    $("coding").hidden = false;
    render();
  } else {
    askName();
  }
})();
