//! Lint the real-world corpus in `../shared/corpus` when it is there: no crash, and findings per rule
//! stay exactly at what was reviewed by hand (see the closing notes of the issues). A change in a
//! count means a new false positive, a fixed one, or a finding to review: update the table only
//! after looking at the difference.

mod common;

use std::collections::BTreeMap;

/// Findings per rule on the corpus, each reviewed.
const REVIEWED: &[(&str, u64)] = &[
    // NodeTool@0 (47), Maven@3, AzureCLI@1, FileTransform@1, PublishCodeCoverageResults@1, Gradle@2,
    // Docker@0, XamarinAndroid@1, XamariniOS@2: each deprecated in its task.json.
    ("deprecated-task", 65),
    // 1ES.*, EsrpCodeSigning, onebranch, securedevelopmentteam.*, ms-devlabs.* Terraform, ...
    ("extension-task", 161),
    // azure-sdk eng/common deploy-test-resources x4 ("Set OIDC token": exported as the secret
    // ARM_OIDC_TOKEN pipeline variable, which the next step, the long test-resource deployment,
    // maps into its env), sync_knowledge.yml (written to a token file whose path is published as
    // AZURE_FEDERATED_TOKEN_FILE for the later steps), azure-pipeline-agents ci-simple x2
    // (`$env:ARM_OIDC_TOKEN = $env:idToken` before ./deploy.ps1 in steps that pass TF_VAR_
    // variables, i.e. a Terraform plan/apply): all true positives. Was 11: the four
    // deploy-test-resources "Test Resources Post with refreshed login" steps are no longer
    // reported; they copy a token fetched at the start of that very step into ARM_OIDC_TOKEN for a
    // post script azplint can't read (not seen to run long or to run Terraform), and the step
    // exists precisely to refresh the token. No spn-secret-exposure: every export there sets
    // issecret=true.
    ("idtoken-expiry", 7),
    // geekzter/azure-pipeline-agents build-image-template.yml "Fetch build credentials": AzureCLI@2
    // with `$(packerSubscriptionConnection)` exports `${env:servicePrincipalKey}` as the secret output
    // `clientSecret` for the Packer build that follows; the connection's scheme is unknown, so a
    // warning, and a true one: with a WIF connection the secret is empty and Packer can't sign in
    // (the same repository's other pipelines already sign in with `idToken`).
    ("spn-key-under-wif", 1),
    // PowerShell@2 `ignoreLASTEXITCODE: flattenFolders` in azure-sdk-for-c (a copy-paste slip: the
    // task reads it as false).
    ("invalid-input-value", 1),
    // microsoft/azure-pipelines-yaml's docker-container-to-aks starter: Kubernetes@1 given only
    // `azureSubscriptionEndpoint` while `connectionType` keeps its default (Kubernetes Service
    // Connection), so the task asks for `kubernetesServiceEndpoint`.
    ("missing-required-input", 1),
    // `displayName` under inputs (UseDotNet@2 x9, Bash@3 x2), DotNetCoreCLI@2 `verbosityToPack` x6 and
    // `verbosity` x3, DownloadPipelineArtifact@2 `downloadType` x4 (an input of @1),
    // PublishCodeCoverageResults@2 `codeCoverageTool` x2 (dropped in @2), AzureCLI@2 `signType`,
    // PublishSymbols@2 `Pat`, `retryCountOnTaskFailure` under inputs, Ant@1 `workingDirectory`.
    ("unknown-task-input", 30),
    // Genuinely missing local templates: synced eng/common templates of the Azure SDK repos that
    // point at repository-specific files their repository lacks (1es-redirect.yml, globals.yml),
    // azure-sdk-tools content-validation pipelines (eng/pipelines/common/content-validation-for-*.yml
    // absent) and js-sdk-release-tools CI templates meant for other repositories, PowerShell's
    // insert-nuget-config-azfeed.yml and .vsts-ci/templates/windows-test.yml (stale), and
    // dotnet-docker's variables/internal-core.yml -> core.yml.
    ("template-not-found", 28),
    // One per unmapped repository alias (1ESPipelineTemplates, onebranchTemplates, eng, ...).
    ("remote-template", 15),
    // dotnet-docker init-docker-linux.yml / init-docker-windows.yml call init-common.yml without
    // its required `dockerClientOS`; nothing includes them any more (stale templates that would
    // fail if used).
    ("missing-template-parameter", 2),
    // The Mustache starter templates of microsoft/azure-pipelines-yaml: `trigger: - {{ branch }}` is
    // a flow mapping in YAML, where a branch name belongs (43 files, not real pipelines).
    ("invalid-value", 43),
    // PowerShell's .vsts-ci/install-ps.yml still uses `phases:`; six azure-pipelines-yaml starters
    // use the `upload:` step (now `publish:`), which Microsoft's validator also reports.
    ("deprecated-syntax", 7),
    // geekzter/azure-pipeline-agents ci-simple: `cron: '0 0 * * Tue,Fr'`; `Fr` is neither a day
    // number nor a day name, so the schedule can't be read.
    ("invalid-cron", 1),
    // ubuntu-20.04 (retired 2025-04-01) in PowerShell's linux-daily, generateMarkdownMatrix,
    // sshremoting-tests and packaging templates and azure-pipelines-tasks' detect-changes (x2);
    // macos-14 (retired 2026-11-02) in azure-pipelines-tasks' azure-pipelines.yml; vs2017-win2016 and
    // windows-2019 in azure-pipelines-yaml starters; ubuntu-22.04 (retirement announced) once.
    ("retired-vm-image", 11),
    // dotnet/arcade publish.yml "Authenticate Maestro API": AzureCLI@2 with addSpnToEnvironment
    // whose script only runs `az account get-access-token` (the CLI is signed in anyway).
    ("addspn-unused", 1),
    // Azure/azure-functions-core-tools prebuild-common.yml "Acquire access token": the ARM token from
    // `az account get-access-token` is set as the plain variable azure_management_access_token, so
    // later steps' logs show it. True positive. (Reviewed and left out: dotnet-docker
    // set-custom-test-variables.yml copies `$(System.AccessToken)` into non-output variables, still
    // masked in that job; typespec pr-tools.yml sets the URL a token-authenticated REST call returned.)
    ("unmasked-secret-variable", 1),
    // hardcoded-secret: 0. The corpus's `AccountKey=3333...` test placeholders and emulator keys are
    // placeholders, not credentials.
    // PowerShell sshremoting-tests.yml (`container: mcr.microsoft.com/powershell/test-deps:ubuntu-18.04`)
    // and dotnet/arcade azure-pipelines.yml, -pr.yml, -unofficial.yml (resources.containers
    // `prereqs:azurelinux-3.0-net10.0-fpm-amd64`): job containers by tag, no digest; notes, all true.
    ("unpinned-container-image", 4),
    // eng/common policheck.yml synced into azure-dev, azure-sdk-for-c, azure-sdk-for-cpp and
    // azure-sdk-tools: the PostAnalysis@2 step that breaks the build on PoliCheck findings
    // (GdnBreakGdnToolPoliCheck: true) has continueOnError: true, so it never fails the run. True.
    ("security-gate-continue-on-error", 4),
    // overbroad-keyvault: 0. The one AzureKeyVault@2 (react-native-windows release) names its secret.
    // Every literal `persistCredentials: true` on a checkout step, each read: CsWinRT x8 (build,
    // benchmark, localization, NuGet publishing and mirror-sync stages), dotnet-docker x2 (the
    // versions repository checkout of init-common / init-matrix-build-publish, kept for later git
    // pushes), SqlClient github-sync, azure-sdk-tools qa-bot server-cd, react-native-windows
    // prepare-release-bot (reads the extraheader back for the gh CLI), typespec pr-tools. True
    // positives: the token stays in .git/config for the rest of each job. react-native-windows'
    // checkout-shallow/checkout-full templates take it as a parameter and are not reported.
    ("persist-credentials", 14),
    // `- name: System.Debug / value: true` in dotnet-docker's unofficial sync pipeline and
    // core-unofficial variables ("always run unofficial pipelines in debug mode") and in
    // azure-pipelines-tasks' azure-pipelines.yml and .vsts.release.yml: committed, true positives.
    // PowerShell's and CsWinRT's `${{ parameters.debug }}` are not reported.
    ("debug-enabled", 4),
    // `curl ... | bash` with no hash check: azure-dev install-azd.sh x3 (publish-extension,
    // publish-extension-pr, install-azd-live-sh), geekzter InstallAzureCLIDeb x2, the
    // azure-pipelines-yaml go starter (golang/dep install.sh | sh). All true positives. Not
    // reported: the same commands inside publish.yml's PowerShell here-string (release notes
    // text) and in devcontainers-ci `runCmd` (an extension task's input).
    ("unverified-script-exec", 6),
    // `ref: main` / `refs/heads/main` on repositories that provide templates: PowerShell's
    // onebranchTemplates x11 and templates (apiscan), azure-sdk-tools perf-automation x5
    // (language repositories' globals/install templates), SqlClient x4 (OneBranch templates,
    // PerfTemplates), CsWinRT x3, arcade vmr-build-pr (the VMR's stage template). True positives:
    // each run takes whatever that branch holds. 1ES `refs/tags/release` is not reported.
    ("unpinned-template-repo", 25),
    // 30 warnings, all true: `$(Build.SourceBranch)` / `$(System.PullRequest.SourceBranch)` pasted
    // into PowerShell strings (Azure SDK eng/common archetype-typespec-emitter x2 and
    // eng-common-workflow-enforcer x2 in four repositories, archetype-autorest-preview x2,
    // PowerShell's rebuild-branch-check x2 and channelSelection, CsWinRT Maestro publishing x3,
    // dotnet-docker cg-build-projects) and bash (arcade helix-job-monitor); template parameters
    // given the branch by their callers (dotnet-docker sync-internal-release's sourceBranch and
    // targetBranch, from `$(Build.SourceBranch)`; azure-sdk-tools sync-directory's
    // UpstreamBranchName x2, from `$(System.PullRequest.SourceBranch)`). 9 notes: the structured
    // `System.PullRequest.TargetBranch` beside them (enforcer x8, archetype-sdk-tool-repo-sync).
    ("script-injection", 39),
    // 11 warnings, all true: `-SourceBranch '$(Build.SourceBranchName)'` in PowerShell@2 arguments
    // of create-apireview (Azure SDK eng/common x4, typespec), azure-sdk-for-cpp ci.tests,
    // archetype-sdk-tool-repo-sync x2 and sync-directory x2 (`$(System.PullRequest.SourceBranch)`
    // directly or through UpstreamBranchName), SqlClient publish-symbols-step (artifactName given
    // `$(Build.SourceBranchName)` by publish-symbols-job). 5 notes: `$(Build.RequestedForEmail)`
    // in verify-codeowners x4, `$(system.pullRequest.targetBranch)` once.
    ("argument-injection", 16),
    // All true: free `string` runtime parameters without `values:` spliced into scripts of entry
    // pipelines: azure-sdk-tools handle-apireview-hub-request (operationId, packageName, baseRef,
    // artifact names, ...: 22), apiview-review-gen-typespec x2, content-validation x4,
    // conversation-eval x2; react-native-windows integrate-rn x8 (reactNativeVersion, commitTitle
    // in git and yarn commands); SqlClient perf baselineVersion; CsWinRT sync mirror SourceRepository.
    // 21 more in templates given such a parameter by an entry pipeline, all true: azure-sdk-tools
    // prepare-pipelines x7 (RepositoryName of pipeline-generation-single), live-test-cleanup-template
    // x3 (Pool, GroupFilter), python-auth-dev-feed (DevFeedName of apiview-copilot tests),
    // archetype-sdk-tool-repo-sync (DirectoryToSync of sync-.github-skills); dotnet-docker
    // sync-internal-release x2, update-dependencies-internal x2, update-dependencies x2 (the
    // unofficial pipelines' free parameters); azure-pipelines-tasks build-init x3 (BuildSourceVersion
    // of ci-test-tasks/main.yml, in git fetch/checkout).
    ("parameter-injection", 61),
    // All true: `$(System.AccessToken)` pasted into PowerShell strings or command lines (arcade
    // publish-build-assets, post-build, publish-logs; dotnet-docker publish, retain-build,
    // set-custom-test-variables x2, update-dotnet-dependencies-specific x2; azure-sdk-tools
    // emit-pipeline-repositories; azure-pipelines-tasks canary-tests-v2 and schedules (node
    // argument); typespec pr-tools (curl -u)). Plus 4 secret variables set with `issecret=true`
    // earlier in the same file and then pasted into a script, all true: azure-sdk-for-cpp
    // archetype-cpp-release (`-OpenApiToken "$(opensource-api-token)"`), arcade build.yml and
    // validate-promotion.yml (`--azdev-pat $(WifAzDoToken)` on darc's command line),
    // react-native-windows publish-nuget-to-ado-feed (`$token = "$(NuGetAccessToken)"`).
    ("token-on-command-line", 17),
];

#[test]
fn corpus_lints_without_crash_and_within_review() {
    let corpus = common::root().join("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("skipped: ../shared/corpus is not here");
        return;
    }
    // Each repository is its own root (for `/`-rooted template paths), as when linting a checkout.
    let mut repos: Vec<String> = std::fs::read_dir(&corpus)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.path().to_string_lossy().into_owned())
        .collect();
    repos.sort();
    let args: Vec<&str> = repos.iter().map(String::as_str).collect();
    let (code, v) = common::json(&args);
    assert!(code == 0 || code == 1, "exit code {code}");
    // 1,261 files, less two that are not Azure Pipelines documents although their top-level key is
    // `extends`: microsoft/typespec's tspconfig.yaml (`extends: ./typespec-base.yaml`) and a
    // Spectral config (`extends:` a list).
    assert_eq!(
        v["files"], 1259,
        "every corpus pipeline or template is linted"
    );
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for d in v["diagnostics"].as_array().unwrap() {
        let rule = d["rule"].as_str().unwrap().to_string();
        let path = d["path"].as_str().unwrap();
        if rule == "yaml-syntax" {
            assert!(
                path.contains("microsoft__azure-pipelines-yaml/templates/"),
                "unexpected yaml-syntax in {path}: {}",
                d["message"]
            );
            continue;
        }
        *counts.entry(rule).or_default() += 1;
    }
    let reviewed: BTreeMap<String, u64> =
        REVIEWED.iter().map(|(r, n)| (r.to_string(), *n)).collect();
    assert_eq!(
        counts, reviewed,
        "findings per rule on the corpus changed: review them"
    );
}

/// Truncated and mutated corpus files never panic the library (the binary turns a panic into an
/// internal error; here it would fail the test).
#[test]
fn truncated_and_mutated_corpus_files_never_panic() {
    let corpus = common::root().join("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("skipped: ../shared/corpus is not here");
        return;
    }
    let mut checked = 0;
    for entry in ignore::WalkBuilder::new(&corpus)
        .hidden(false)
        .build()
        .flatten()
    {
        let path = entry.path();
        if !path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let mut variants = Vec::new();
        for cut in [text.len() / 3, text.len() / 2, text.len() * 2 / 3] {
            let mut cut = cut;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            variants.push(text[..cut].to_string());
        }
        // Mutations that often break structure: dedent every other line, swap `-` and `:`.
        variants.push(
            text.lines()
                .enumerate()
                .map(|(i, l)| if i % 2 == 0 { l.trim_start() } else { l })
                .collect::<Vec<_>>()
                .join("\n"),
        );
        variants.push(text.replace(": ", "- ").replace("- ", ": "));
        for v in variants {
            let src = azplint::source::Source::new(path.display().to_string(), None, v);
            let _ = azplint::lint_source(&src, &azplint::rules::NoFiles);
            checked += 1;
        }
    }
    assert!(checked > 5000, "only {checked} variants checked");
}
