export default { render({ el }) { el.textContent = "nblabel"; } };
