import { BaseCommand } from '../cli/base-command.js';
import { autoApproveFlag, generateFlag } from '../cli/deploy-flags.js';
import { interruptible } from '../cli/interrupts.js';
import { configFileFlag } from '../cli/config-flag.js';
import { applyDeployment } from '../deploy/apply-deployment.js';
import {
  lifecycleResult,
  openLifecycleChange,
  type LifecycleResult,
} from '../deploy/lifecycle-change.js';

export default class Terminate extends BaseCommand {
  static override summary =
    'Stop serving and scale compute to zero, keeping repository, images, release history and config.';

  static override description = `The endpoint stops answering and compute goes to zero: aws-ecs holds the service at 0 tasks \
(autoscaling 0..0; the load balancer stays and answers 503), google-cloud-run scales to no \
instances and takes ingress internal-only, azure-aks sets the Deployment to 0 replicas without \
its autoscaler, aws-ec2-gpu holds its group at 0 instances or stops its single instance. The \
repository, images, release history, Terraform state and config stay.

The stack is generated in that shape, pinned to the image of the current release, and goes \
through the same plan, summary, confirmation (--auto-approve without a terminal) and apply as \
\`bentoctl apply\`. The Terraform state then records the deployment as terminated, so a later \
plain \`apply\` (a CI run) refuses (DEPLOYMENT_TERMINATED) instead of bringing it back, and so do \
\`release promote\` and \`release abort\`; \`bentoctl restore\` does.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> -f deploy/staging.yaml',
    '<%= config.bin %> <%= command.id %> -f deploy/pr-123.yaml --auto-approve',
  ];

  static override flags = {
    file: configFileFlag,
    'auto-approve': autoApproveFlag('Terminate'),
    generate: generateFlag('terminates with'),
  };

  async run(): Promise<LifecycleResult> {
    const { flags } = await this.parse(Terminate);
    return interruptible('terminate', async (interrupts) => {
      const changing = await openLifecycleChange('terminate', {
        configFile: flags.file,
        autoApprove: flags['auto-approve'],
        skipGenerate: !flags.generate,
        interrupts,
        ...this.view(),
      });
      const { run, approval } = changing.opened;
      const applied = await applyDeployment(run, approval, { lifecycle: 'terminate' });
      this.log(
        `${run.config.name} is terminated${applied.applied ? '' : ' (nothing changed)'}; \`bentoctl restore -f ${flags.file}\` brings it back.`,
      );
      return lifecycleResult(changing, applied);
    });
  }
}
