/**
 * Who may call main: only the top-level frame of Latchkey's own page (app://latchkey in a packaged
 * app). An iframe, a navigated-away page or any other origin is refused.
 */
export interface SenderInfo {
  /** URL of the frame that sent the message ('' when the frame is gone). */
  url: string;
  /** The sender is the top-level frame of its page, not an iframe. */
  isMainFrame: boolean;
  /** Electron's id of the sending web contents, where there is one. */
  webContentsId?: number;
}

export type SenderPolicy = (sender: SenderInfo) => boolean;

/**
 * @param trustedUrl the app page's URL; its scheme and host must match the sender's.
 * @param trustedContents when given, the ids of the app's own web contents; any other sender is refused.
 */
export function createSenderPolicy(trustedUrl: string, trustedContents?: ReadonlySet<number>): SenderPolicy {
  const trusted = new URL(trustedUrl);
  return (sender) => {
    if (!sender.isMainFrame) return false;
    if (trustedContents !== undefined && (sender.webContentsId === undefined || !trustedContents.has(sender.webContentsId))) return false;
    let url: URL;
    try {
      url = new URL(sender.url);
    } catch {
      return false;
    }
    // Compare scheme and host explicitly: URL.origin is "null" for custom schemes such as app://.
    return url.protocol === trusted.protocol && url.host === trusted.host;
  };
}
