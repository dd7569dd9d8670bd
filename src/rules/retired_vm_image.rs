//! `retired-vm-image`: a `vmImage` names a Microsoft-hosted image that is retired (error) or whose
//! retirement is announced (warning).
//!
//! The images, their dates and sources are data (`crate::catalog::vm_images`); where a pipeline
//! names a hosted image is `shared::vm_image_uses`. This file decides what to say.

use super::shared::vm_image_uses::{hosted_image_values, Origin};
use super::{Context, Rule};
use crate::catalog::vm_images::{lookup, Image, Status};
use crate::diagnostic::{Diagnostic, Severity};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "retired-vm-image",
    severity: Severity::Error,
    summary: "A `vmImage` names a Microsoft-hosted image that is retired or being retired",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Document(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(root) = &ctx.doc.root else { return };
    for (node, origin) in hosted_image_values(root) {
        let Some(value) = node.as_str() else { continue };
        if let Some(image) = lookup(value) {
            let mut d = diagnostic(node, value.trim(), image, &origin);
            if let Some(edit) =
                super::shared::fixes::replace_scalar(&ctx.source.text, node, image.replacement)
            {
                d = d.fix(crate::diagnostic::Fix::unsafe_(
                    format!(
                        "use `{}`; check that the tools your jobs need are on it",
                        image.replacement
                    ),
                    vec![edit],
                ));
            }
            out.push(d);
        }
    }
}

fn diagnostic(node: &Node, value: &str, image: &Image, origin: &Origin) -> Diagnostic {
    let check_tools = "and check that the tools your jobs need are on it (the installed software \
                       differs between images)";
    let (severity, message, state, help, note) = match image.status {
        Status::Retired => {
            let date = image.retired.unwrap_or("an earlier date");
            (
                Severity::Error,
                format!("`{value}` is a retired Microsoft-hosted image, removed on {date}"),
                "retired image".to_string(),
                format!(
                    "use a current image such as `{}`, {check_tools}",
                    image.replacement
                ),
                format!(
                    "a job that asks for a retired image fails before it starts, with `No image \
                     label found to route agent pool Azure Pipelines` or `An image label with the \
                     label {value} does not exist`; source: {}",
                    image.source
                ),
            )
        }
        Status::Announced => {
            let (message, state, before) = match &image.retired {
                Some(date) => (
                    format!(
                        "`{value}` is a deprecated Microsoft-hosted image, to be removed on {date}"
                    ),
                    format!("image retiring on {date}"),
                    format!(" before {date}"),
                ),
                None => (
                    format!(
                        "`{value}` is a deprecated Microsoft-hosted image, its removal is announced"
                    ),
                    "image being retired".to_string(),
                    String::new(),
                ),
            };
            (
                Severity::Warning,
                message,
                state,
                format!("move to `{}`{before}, {check_tools}", image.replacement),
                format!(
                    "until the removal the image still runs, but jobs can wait longer for an agent \
                     and fail during the scheduled brownouts; after it they fail before they start; \
                     source: {}",
                    image.source
                ),
            )
        }
    };
    let label = match origin {
        Origin::VmImage => state,
        Origin::Default(name) => format!("{state}, the default of parameter `{name}`"),
        Origin::Variable(name) => format!("{state}, read by `$({name})`"),
        Origin::Matrix { leg, variable } => {
            format!(
                "{state}, `{variable}` of matrix leg `{leg}` (read by `vmImage: $({variable})`)"
            )
        }
    };
    Diagnostic::new(RULE.id, severity, node.span.clone(), message)
        .label(label)
        .help(help)
        .note(note)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::NoFiles;
    use crate::source::Source;

    fn found(text: &str) -> Vec<(usize, Severity)> {
        let source = Source::new("t.yml", None, text.to_string());
        crate::lint_source(&source, &NoFiles)
            .into_iter()
            .filter(|d| d.rule == "retired-vm-image")
            .map(|d| (text[..d.span.start].matches('\n').count() + 1, d.severity))
            .collect()
    }

    #[test]
    fn vm_image_keys_anywhere() {
        let t = "pool:\n  vmImage: ubuntu-16.04\nstages:\n- stage: a\n  pool:\n    vmImage: 'macos-12'\n  \
                 jobs:\n  - job: b\n    pool:\n      vmImage: ubuntu-22.04\n    steps:\n    - script: x\n";
        assert_eq!(
            found(t),
            vec![
                (2, Severity::Error),
                (6, Severity::Error),
                (10, Severity::Warning)
            ]
        );
    }

    #[test]
    fn expressions_and_current_images_are_skipped() {
        let t = "pool:\n  vmImage: $(image)\njobs:\n- job: a\n  pool:\n    vmImage: ${{ parameters.os }}\n  \
                 steps:\n  - script: x\n- job: b\n  pool:\n    vmImage: ubuntu-latest\n  steps:\n  - script: x\n\
                 - job: c\n  pool:\n    vmImage: $[ variables.img ]\n  steps:\n  - script: x\n";
        assert!(found(t).is_empty());
    }

    #[test]
    fn parameter_defaults_read_by_a_hosted_vm_image() {
        let t = "parameters:\n- name: linuxVmImage\n  default: ubuntu-18.04\n- name: images\n  \
                 type: object\n  default: [ubuntu-16.04]\n- name: buildImage\n  default: windows-2019\n\
                 - name: perfVmImage\n  default: ubuntu-20.04\njobs:\n- job: a\n  pool:\n    \
                 vmImage: ${{ parameters.linuxVmImage }}\n  steps:\n  - script: x\n- job: b\n  pool:\n    \
                 name: Azure Pipelines\n    vmImage: ${{parameters.buildImage}}\n  steps:\n  - script: x\n\
                 - job: c\n  pool:\n    name: perf-pool\n    vmImage: ${{ parameters.perfVmImage }}\n  \
                 steps:\n  - script: x\n- template: t.yml\n  parameters:\n    vmImage: macOS-11\n    \
                 macVmImage: macOS-11\n";
        assert_eq!(
            found(t),
            vec![
                (3, Severity::Error),
                (8, Severity::Error),
                // Passed to a template azplint does not read (here, none are): never an error.
                (31, Severity::Warning)
            ]
        );
    }

    #[test]
    fn legacy_parameter_declarations() {
        let t = "parameters:\n  vmImage: ubuntu-16.04\n  unused: ubuntu-16.04\njobs:\n- job: a\n  pool:\n    \
                 vmImage: ${{ parameters.vmImage }}\n  steps:\n  - script: x\n";
        assert_eq!(found(t), vec![(2, Severity::Error)]);
    }

    #[test]
    fn self_hosted_pools_are_not_checked() {
        let t = "pool:\n  name: Default\n  vmImage: ubuntu-16.04\njobs:\n- job: a\n  pool:\n    \
                 name: $(poolName)\n    vmImage: ubuntu-16.04\n  steps:\n  - script: x\n- job: b\n  \
                 pool:\n    name: ${{ parameters.pool }}\n    ${{ if eq(parameters.pool, 'x') }}:\n      \
                 vmImage: ubuntu-16.04\n  steps:\n  - script: x\n- job: c\n  pool:\n    \
                 name: Azure Pipelines\n    ${{ if true }}:\n      vmImage: ubuntu-16.04\n  steps:\n  \
                 - script: x\n";
        assert_eq!(found(t), vec![(22, Severity::Error)]);
    }

    #[test]
    fn matrix_legs_feeding_a_vm_image_macro() {
        let t = "jobs:\n- job: a\n  strategy:\n    matrix:\n      linux:\n        imageName: ubuntu-16.04\n      \
                 mac:\n        imageName: macOS-latest\n        other: macOS-10.15\n  pool:\n    \
                 vmImage: $(imageName)\n  steps:\n  - script: x\n- job: b\n  strategy:\n    matrix:\n      \
                 custom:\n        Pool: my-pool\n        OSVmImage: ubuntu-20.04\n      hosted:\n        \
                 Pool: Azure Pipelines\n        OSVmImage: ubuntu-20.04\n  pool:\n    name: $(Pool)\n    \
                 vmImage: $(OSVmImage)\n  steps:\n  - script: x\n- job: c\n  strategy:\n    matrix:\n      \
                 legacy:\n        OSVmImage: ubuntu-18.04\n  pool:\n    name: my-pool\n    \
                 demands: ImageOverride -equals $(OSVmImage)\n  steps:\n  - script: x\n";
        assert_eq!(found(t), vec![(6, Severity::Error), (22, Severity::Error)]);
    }

    #[test]
    fn a_stage_pool_applies_to_its_jobs_matrices() {
        let t = "stages:\n- stage: s\n  pool:\n    vmImage: $(img)\n  jobs:\n  - job: a\n    strategy:\n      \
                 matrix:\n        old:\n          img: windows-2019\n    steps:\n    - script: x\n";
        assert_eq!(found(t), vec![(10, Severity::Error)]);
    }

    #[test]
    fn variables_read_by_a_hosted_vm_image() {
        let t = "variables:\n  vmImageName: 'windows-2019'\n  other: ubuntu-16.04\njobs:\n- job: a\n  pool:\n    \
                 vmImage: $(vmImageName)\n  steps:\n  - script: x\n- job: b\n  variables:\n  - name: img\n    \
                 value: macOS-13\n  pool:\n    vmImage: $(IMG)\n  steps:\n  - script: x\n- job: c\n  \
                 variables:\n    self: ubuntu-18.04\n  pool:\n    name: my-pool\n    vmImage: $(self)\n  \
                 steps:\n  - script: x\n";
        assert_eq!(found(t), vec![(2, Severity::Error), (13, Severity::Error)]);
    }

    #[test]
    fn the_image_of_a_1es_pool_named_azure_pipelines() {
        let t = "resources:\n  containers:\n  - container: c\n    image: ubuntu-16.04\njobs:\n- job: a\n  \
                 pool:\n    name: Azure Pipelines\n    image: macos-14\n    os: macOS\n  steps:\n  \
                 - script: x\n- job: b\n  pool:\n    name: my-1es-pool\n    image: ubuntu-20.04\n    \
                 os: linux\n  steps:\n  - script: x\n";
        assert_eq!(found(t), vec![(9, Severity::Error)]);
    }

    #[test]
    fn a_value_is_reported_once() {
        let t = "steps:\n- template: t.yml\n  parameters:\n    vmImage: vs2017-win2016\n";
        // Handed to a template azplint does not read: a warning.
        assert_eq!(found(t), vec![(4, Severity::Warning)]);
    }

    #[test]
    fn messages_name_the_date_the_replacement_and_the_source() {
        let text = "pool:\n  vmImage: ubuntu-22.04\n";
        let source = Source::new("t.yml", None, text.to_string());
        let d = crate::lint_source(&source, &NoFiles)
            .into_iter()
            .find(|d| d.rule == "retired-vm-image")
            .unwrap();
        assert!(d.message.contains("2027-04-17"), "{}", d.message);
        assert!(d.help.as_deref().unwrap().contains("ubuntu-24.04"));
        assert!(d.note.as_deref().unwrap().contains("https://"));
    }
}
