/**
 * The Temporal Web UI (the dev server's own build, 2.54) as an operator uses it, as a page object: the
 * workflow list filtered by a query typed into its query box, a workflow's page, its User Metadata and
 * Queries tabs, the "Send an Update" dialog, and its status. Each action is a step of the session (a
 * screenshot each).
 * Locators are what a person sees (roles, names) wherever the UI offers them; test ids only where a
 * control has no accessible name.
 */
import type { Locator } from 'playwright-core';
import type { BrowserSession } from './browser';

/** How long the list waits for visibility to show a workflow, refreshing meanwhile. */
const LISTING_TIMEOUT_MS = 30_000;
/** How long a workflow's status may take to become the one expected. */
const STATUS_TIMEOUT_MS = 60_000;
const POLL_MS = 1_000;
/** How long to trust the workflow page's own refresh before reloading it. */
const AUTO_REFRESH_PATIENCE_MS = 10_000;

export class TemporalWebUi {
  constructor(
    private readonly session: BrowserSession,
    private readonly baseUrl: string,
    private readonly namespace = 'default',
  ) {}

  private get page() {
    return this.session.page;
  }

  /** The workflow list, filtered by a visibility query typed into the list's own query box. */
  async openList(query: string): Promise<void> {
    await this.session.step(`list ${query}`, async () => {
      await this.page.goto(`${this.baseUrl}/namespaces/${this.namespace}/workflows`);
      // The list starts with the filter builder; the </> toggle offers the raw query box.
      await this.page.getByTestId('toggle-manual-query').click();
      const box = this.page.getByPlaceholder('Enter a query');
      await box.fill(query);
      await box.press('Enter');
      await this.page.waitForURL((url) => url.searchParams.get('query') === query);
    });
  }

  /** The ids the list shows now. */
  async listedWorkflowIds(): Promise<string[]> {
    const rows = this.page.getByRole('link', { name: /^iscflow-/ });
    return (await rows.allInnerTexts()).map((t) => t.trim());
  }

  /**
   * Opens a workflow from the list on screen, refreshing the list until visibility shows it (it trails
   * the workflow's own state by a moment).
   */
  async openWorkflow(workflowId: string): Promise<void> {
    await this.session.step(`open ${workflowId}`, async () => {
      const link = this.page.getByRole('link', { name: workflowId, exact: true });
      const deadline = Date.now() + LISTING_TIMEOUT_MS;
      while (!(await link.isVisible())) {
        if (Date.now() > deadline) {
          throw new Error(
            `${workflowId} is not in the list (${(await this.listedWorkflowIds()).join(', ') || 'empty'})`,
          );
        }
        await this.page.getByRole('button', { name: 'Refresh' }).click();
        await this.page.waitForTimeout(POLL_MS);
      }
      await link.click();
      await this.page.getByRole('heading', { name: workflowId }).waitFor();
    });
  }

  /**
   * Waits until the list on screen no longer shows `workflowId`, refreshing it meanwhile (visibility
   * trails the workflow by a moment): the workflow has left what the list's query selects.
   */
  async waitUntilUnlisted(workflowId: string): Promise<void> {
    await this.session.step(`${workflowId} leaves the list`, async () => {
      const link = this.page.getByRole('link', { name: workflowId, exact: true });
      const deadline = Date.now() + LISTING_TIMEOUT_MS;
      for (;;) {
        await this.page.getByRole('button', { name: 'Refresh' }).click();
        await this.page.waitForTimeout(POLL_MS);
        if (!(await link.isVisible())) return;
        if (Date.now() > deadline) throw new Error(`${workflowId} is still in the list`);
      }
    });
  }

  /**
   * The workflow's User Metadata tab as shown: the summary and details it was started with, and the
   * current details it keeps (each rendered from markdown in a frame of its own).
   */
  async userMetadata(): Promise<{ summary: string; details: string; currentDetails: string }> {
    return this.session.step('user metadata', async () => {
      await this.page.getByRole('tab', { name: 'User Metadata' }).click();
      const text = async (frame: Locator): Promise<string> => {
        const body = frame.contentFrame().locator('body');
        await body.waitFor();
        return (await body.innerText()).trim();
      };
      const current = this.page
        .getByRole('heading', { name: 'Current Details' })
        .locator('xpath=ancestor::div[contains(@class, "flex-col")][1]//iframe');
      return {
        summary: await text(this.page.locator('iframe#user-metadata-summary')),
        details: await text(this.page.locator('iframe#user-metadata-details')),
        currentDetails: await text(current),
      };
    });
  }

  /** Runs a query from the workflow's Queries tab and returns its answer, parsed. */
  async runQuery(name: string): Promise<unknown> {
    return this.session.step(`query ${name}`, async () => {
      await this.page.getByRole('tab', { name: 'Queries' }).click();
      await this.page.getByTestId('query-select-button').click();
      await this.page.getByRole('option', { name, exact: true }).click();
      await this.page.getByRole('button', { name: 'Run Query' }).click();
      const result = this.page.getByTestId('query-result');
      await result.getByText('{').first().waitFor();
      return parseShownJson(result);
    });
  }

  /** Sends an Update through the workflow's "Send an Update" dialog; resolves once the UI reports success. */
  async sendUpdate(name: string, json: unknown): Promise<void> {
    await this.session.step(`update ${name}`, async () => {
      await this.page.getByRole('button', { name: 'More Actions' }).click();
      await this.page.getByRole('menuitem', { name: 'Send an Update' }).click();
      const dialog = this.page.getByRole('dialog', { name: 'Send an Update' });
      // The name picker is a button whose label belongs to a hidden input: found by its test id.
      await dialog.getByTestId('update-select-button').click();
      await dialog.getByRole('option', { name, exact: true }).click();
      await dialog.getByRole('textbox', { name: 'Data' }).fill(JSON.stringify(json));
      await dialog.getByRole('button', { name: 'Submit' }).click();
      await this.page.getByText('Update successful').first().waitFor();
    });
  }

  /**
   * Waits until the workflow's status badge reads `text` (Completed, Running, ...). The page refreshes
   * itself; it is reloaded only when that seems stuck, and given time to render again.
   */
  async waitForStatus(text: string): Promise<void> {
    await this.session.step(`status ${text}`, async () => {
      const badge = this.page.getByRole('status').filter({ hasText: new RegExp(`^\\s*${text}\\s*$`, 'i') });
      const deadline = Date.now() + STATUS_TIMEOUT_MS;
      for (;;) {
        try {
          await badge.first().waitFor({ timeout: AUTO_REFRESH_PATIENCE_MS });
          return;
        } catch (error) {
          if (Date.now() > deadline) throw new Error(`status never became ${text}`, { cause: error });
        }
        await this.page.reload();
        await this.page.getByRole('heading', { level: 1 }).first().waitFor();
      }
    });
  }
}

/**
 * The UI shows JSON in a code view whose fold markers (⌄) are part of its text: they are dropped before
 * parsing.
 */
async function parseShownJson(view: Locator): Promise<unknown> {
  const text = (await view.innerText())
    .split('\n')
    .filter((line) => line.trim() !== '⌄')
    .join('\n');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`the UI shows no JSON here:\n${text}`);
  }
}
