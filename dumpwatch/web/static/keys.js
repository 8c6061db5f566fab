// Keyboard triage on the findings queue: j/k move, a acknowledge, f false positive, Enter open.
document.addEventListener("keydown", (e) => {
  if (e.target.matches("input, select, textarea")) return;
  const rows = [...document.querySelectorAll("#rows tr[data-id]")];
  if (!rows.length) return;
  const i = rows.indexOf(document.activeElement);
  if (e.key === "j" || e.key === "k") {
    const next = rows[Math.max(0, Math.min(rows.length - 1, i + (e.key === "j" ? 1 : -1)))];
    next.focus(); e.preventDefault();
  } else if (i >= 0 && (e.key === "a" || e.key === "f")) {
    rows[i].querySelector(`button[data-key="${e.key}"]`)?.click();
  } else if (i >= 0 && e.key === "Enter") {
    rows[i].querySelector("a")?.click();
  }
});
