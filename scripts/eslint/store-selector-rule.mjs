/**
 * ESLint rule `latchkey/store-selector`: a zustand store hook is called with a selector. The hook of
 * `stores/ui.store.ts` is `useUi` (use + the module's name), by the renderer's convention; other hooks a
 * store module exports (`useCurrent`) select inside and are not concerned. `useUi()` subscribes the component to the whole store, so every change of any
 * field (each `hideAllRevealed()`) re-renders it; `useUi((state) => state.screen)` re-renders only when
 * the screen changes (use `useShallow` to select several fields).
 */
export const storeSelectorRule = {
  meta: {
    type: 'problem',
    docs: { description: 'zustand store hooks are called with a selector' },
    messages: {
      noSelector: '{{name}}() reads the whole store and re-renders on every change: pass a selector, e.g. {{name}}((state) => state.field), or useShallow for several fields.',
    },
    schema: [],
  },
  create(context) {
    const storeHooks = new Set();
    return {
      ImportDeclaration(node) {
        const store = /(?:^|\/)([a-z][a-z0-9-]*)\.store$/.exec(String(node.source.value));
        if (store === null) return;
        const hook = `use${store[1].replace(/(?:^|-)([a-z0-9])/g, (_match, letter) => letter.toUpperCase())}`;
        for (const specifier of node.specifiers) {
          if (specifier.type === 'ImportSpecifier' && specifier.imported.name === hook) storeHooks.add(specifier.local.name);
        }
      },
      CallExpression(node) {
        if (node.callee.type === 'Identifier' && storeHooks.has(node.callee.name) && node.arguments.length === 0) {
          context.report({ node, messageId: 'noSelector', data: { name: node.callee.name } });
        }
      },
    };
  },
};

export const latchkeyPlugin = { meta: { name: 'latchkey' }, rules: { 'store-selector': storeSelectorRule } };
