// Starts `azplint server` (the azplint language server) for Azure Pipelines YAML files.
import * as vscode from "vscode";
import {
  DocumentSelector,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

function selector(): DocumentSelector {
  const config = vscode.workspace.getConfiguration("azplint");
  const patterns = config.get<string[]>("filePatterns", []);
  const out: DocumentSelector = [{ scheme: "file", language: "azure-pipelines" }];
  for (const pattern of patterns) {
    out.push({ scheme: "file", language: "yaml", pattern });
  }
  return out;
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const command = vscode.workspace.getConfiguration("azplint").get<string>("path") || "azplint";
  const serverOptions: ServerOptions = {
    run: { command, args: ["server"], transport: TransportKind.stdio },
    debug: { command, args: ["server"], transport: TransportKind.stdio },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: selector(),
    synchronize: {
      // The server reloads `.azplint.yml` when it changes.
      fileEvents: vscode.workspace.createFileSystemWatcher("**/.azplint.yml"),
    },
  };
  client = new LanguageClient("azplint", "azplint", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (e) {
    vscode.window.showErrorMessage(
      `azplint: can't start \`${command} server\` (set \`azplint.path\`): ${e}`,
    );
  }
  context.subscriptions.push({ dispose: () => void client?.stop() });
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  await start(context);
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("azplint.path") || e.affectsConfiguration("azplint.filePatterns")) {
        await client?.stop();
        client = undefined;
        await start(context);
      }
    }),
    vscode.commands.registerCommand("azplint.restartServer", async () => {
      await client?.stop();
      client = undefined;
      await start(context);
    }),
  );
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
