import type { Page } from 'playwright-core';

/**
 * What a person would see as broken layout in the window as it is now, as readable lines:
 * - the page or a screen scrolls sideways;
 * - a control (button, field, tab, link) sticks out of the window or is cut off by a box around it;
 * - the label of a button, tab, pill, badge or column header wraps onto a second line (a pill that
 *   wraps, a header split mid-word);
 * - an icon is squashed narrower than it is drawn;
 * - a secret's key is squeezed into a column too narrow to read.
 * Elements that are not rendered (display none, zero size, closed dialogs) are skipped.
 */
export function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const width = document.documentElement.clientWidth;
    const describe = (element: Element) => {
      const label = element.getAttribute('aria-label') ?? element.textContent?.trim().replace(/\s+/g, ' ').slice(0, 40) ?? '';
      const classes = typeof element.className === 'string' && element.className !== '' ? `.${element.className.trim().split(/\s+/).join('.')}` : '';
      return `<${element.tagName.toLowerCase()}${classes}> "${label}"`;
    };
    const shown = (element: Element) => {
      const rect = element.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0) return false;
      const style = getComputedStyle(element);
      return style.visibility !== 'hidden' && style.display !== 'none' && element.closest('[hidden], dialog:not([open])') === null;
    };

    if (document.documentElement.scrollWidth > width + 1) problems.push(`the page scrolls sideways (${document.documentElement.scrollWidth} > ${width} px)`);
    for (const box of document.querySelectorAll('.main, .sidebar, .dialog[open], .dialog-body, .list-scroll, .results, .card')) {
      if (shown(box) && box.scrollWidth > box.clientWidth + 1) problems.push(`${describe(box)} scrolls sideways (${box.scrollWidth} > ${box.clientWidth} px)`);
    }

    const controls = document.querySelectorAll('button, input:not([type=hidden]), select, textarea, a[href], [role=tab], [role=radio], [role=menuitem]');
    for (const control of controls) {
      if (!shown(control)) continue;
      const rect = control.getBoundingClientRect();
      if (rect.right > width + 1 || rect.left < -1) {
        problems.push(`${describe(control)} sticks out of the window (${Math.round(rect.left)}–${Math.round(rect.right)} of ${width} px)`);
        continue;
      }
      // Cut off by a box that hides or scrolls what overflows it sideways (an open modal dialog is in
      // the top layer: boxes around it in the DOM do not clip it).
      for (let box = control.parentElement; box !== null && box !== document.body && !(box instanceof HTMLDialogElement); box = box.parentElement) {
        const style = getComputedStyle(box);
        if (style.overflowX === 'visible') continue;
        const outer = box.getBoundingClientRect();
        if (rect.right > outer.right + 1 || rect.left < outer.left - 1) {
          problems.push(`${describe(control)} is cut off by ${describe(box)}`);
          break;
        }
      }
    }

    // One line for labels that must not wrap: the lines their text is laid out on (icons aside).
    const lines = (element: Element) => {
      const tolerance = parseFloat(getComputedStyle(element).fontSize) * 0.6;
      const tops: number[] = [];
      const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
        if (node.textContent?.trim() === '') continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        for (const rect of range.getClientRects()) if (rect.width > 0 && !tops.some((top) => Math.abs(top - rect.top) < tolerance)) tops.push(rect.top);
      }
      return Math.max(1, tops.length);
    };
    for (const label of document.querySelectorAll('.btn, .nav-item, [role=tab], .segmented button, .pill, .badge, .env-pill, th, .menu [role=menuitem]')) {
      if (shown(label) && lines(label) > 1) problems.push(`${describe(label)} wraps onto ${lines(label)} lines`);
    }

    for (const icon of document.querySelectorAll('svg[width]')) {
      if (!shown(icon)) continue;
      const drawn = Number(icon.getAttribute('width'));
      const rect = icon.getBoundingClientRect();
      if (rect.width < drawn - 0.5) problems.push(`an icon in ${describe(icon.parentElement ?? icon)} is squashed to ${rect.width.toFixed(1)} of ${drawn} px`);
    }

    for (const key of document.querySelectorAll('td.cell-key')) {
      const room = key.getBoundingClientRect().width;
      if (shown(key) && room < 140) problems.push(`the key column of ${describe(key)} has only ${Math.round(room)} px`);
    }
    return problems;
  });
}
