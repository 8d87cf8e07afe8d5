// helicone-otel local view: row links, filters that apply at once, and live refresh of the
// regions marked data-live-region (re-read from the same URL; the server escapes everything, and
// nodes parsed by DOMParser never run scripts).
"use strict";
(() => {
  const REFRESH_MS = 3000;
  const KEY = "helicone-otel-live";

  const internal = (href) => typeof href === "string" && href.startsWith("/") && !href.startsWith("//");

  document.addEventListener("click", (event) => {
    const row = event.target.closest("tr[data-href]");
    if (!row || event.target.closest("a, button, input, select, summary, details, label")) return;
    if (String(window.getSelection())) return; // selecting text is not a click on the row
    if (internal(row.dataset.href)) window.location.assign(row.dataset.href);
  });

  document.addEventListener("change", (event) => {
    const field = event.target;
    if (field.matches && field.matches(".autosubmit") && field.form) field.form.requestSubmit();
  });

  // Empty fields stay out of the address; re-enabled when the page comes back from history.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "get") return;
    for (const field of form.elements) if (field.name && field.value === "") field.disabled = true;
  });
  window.addEventListener("pageshow", () => {
    for (const field of document.querySelectorAll("form [disabled]")) field.disabled = false;
  });

  const toggle = document.getElementById("live");
  const stamp = document.getElementById("updated");
  if (document.body.dataset.live !== "1" || !toggle) return;
  toggle.checked = localStorage.getItem(KEY) !== "off";
  toggle.addEventListener("change", () => {
    localStorage.setItem(KEY, toggle.checked ? "on" : "off");
    if (toggle.checked) refresh();
  });

  const openDetails = (region) =>
    [...region.querySelectorAll("details")].map((d, i) => (d.open ? i : -1)).filter((i) => i >= 0);
  const rowKeys = (region) => new Set([...region.querySelectorAll("tr[data-href]")].map((r) => r.dataset.href));

  let busy = false;
  async function refresh() {
    if (busy || !toggle.checked || document.hidden) return;
    busy = true;
    try {
      const response = await fetch(window.location.href, { cache: "no-store", credentials: "same-origin" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      for (const region of document.querySelectorAll("[data-live-region]")) {
        const next = fresh.getElementById(region.id);
        if (!next || next.innerHTML === region.innerHTML) continue;
        const open = openDetails(region);
        const before = rowKeys(region);
        region.replaceChildren(...[...next.childNodes].map((node) => document.importNode(node, true)));
        const details = region.querySelectorAll("details");
        for (const i of open) if (details[i]) details[i].open = true;
        for (const row of region.querySelectorAll("tr[data-href]")) {
          if (before.size && !before.has(row.dataset.href)) row.classList.add("fresh");
        }
      }
      const footer = fresh.querySelector("footer");
      if (footer) document.querySelector("footer").replaceChildren(...[...footer.childNodes].map((n) => document.importNode(n, true)));
      if (stamp) stamp.textContent = `updated ${new Date().toLocaleTimeString()}`;
    } catch (error) {
      if (stamp) stamp.textContent = "collector not answering";
    } finally {
      busy = false;
    }
  }
  window.setInterval(refresh, REFRESH_MS);
  document.addEventListener("visibilitychange", refresh);
})();
