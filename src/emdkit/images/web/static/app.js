// The only script: say that an upload is being searched (a large photo takes a moment).
document.addEventListener("submit", (event) => {
  const button = event.target.querySelector("button[type=submit]");
  if (button && event.target.classList.contains("upload")) {
    button.disabled = true;
    button.textContent = "Searching…";
  }
});
