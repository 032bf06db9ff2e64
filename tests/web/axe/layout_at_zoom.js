// What goes wrong on a page at 200% zoom: sideways scrolling, boxes past the screen's edge,
// content clipped by its box, text squeezed into a column a few letters wide, touch targets
// under 24 × 24 px (links inside a sentence aside, as WCAG 2.5.8 allows); and the smallest
// text size (SVG drawings' labels aside: they are sized in the drawing's units and scale with it).
() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  const pageWidth = document.documentElement.scrollWidth;
  if (pageWidth > width) problems.push(`page scrolls sideways: ${pageWidth} > ${width}`);
  let smallest = Infinity;
  for (const element of document.body.querySelectorAll('*')) {
    const style = getComputedStyle(element);
    const box = element.getBoundingClientRect();
    if (style.visibility === 'hidden' || style.display === 'none' || style.opacity === '0') continue;
    if (box.width === 0) continue;
    const classes = typeof element.className === 'string' ? element.className.trim().split(/\s+/) : [];
    const label = [element.tagName.toLowerCase(), ...classes.filter(Boolean)].join('.');
    if (box.left < -0.5 || box.right > width + 0.5) {
      problems.push(`${label} reaches ${Math.round(box.left)}..${Math.round(box.right)}`);
    }
    const clips = ['hidden', 'clip'].includes(style.overflowX) || ['hidden', 'clip'].includes(style.overflowY);
    const overflows = element.scrollWidth > element.clientWidth + 1 || element.scrollHeight > element.clientHeight + 1;
    if (clips && overflows) problems.push(`${label} clips its content`);
    const inSentence = element.closest('p, li > span, dd');
    if (element.matches('a[href], button, input, select, textarea') && !inSentence) {
      if (box.width < 24 || box.height < 24) {
        problems.push(`${label} is a ${Math.round(box.width)}×${Math.round(box.height)} px target (WCAG: 24×24)`);
      }
    }
    const ownText = [...element.childNodes].some(node => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
    if (!ownText || element.closest('svg')) continue;
    const fontSize = parseFloat(style.fontSize);
    smallest = Math.min(smallest, fontSize);
    const words = element.textContent.trim();
    if (words.length >= 6 && box.width < 3 * fontSize) {
      problems.push(`${label} is squeezed to ${Math.round(box.width)} px: "${words.slice(0, 20)}"`);
    }
  }
  return {problems, smallest};
}
