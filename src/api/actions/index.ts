import type { OnFinished } from '../../tasks/completion-batcher.ts';
import type { ActionDefinition, AppServices } from '../services.ts';
import {
  listNotificationDeadLettersAction,
  redriveNotificationDeadLettersAction,
} from './notifications/dead-letters.ts';
import { createProject } from './projects/create-project.ts';
import { deleteProjectAction } from './projects/delete-project.ts';
import { getProjectAction } from './projects/get-project.ts';
import { listProjectsAction } from './projects/list-projects.ts';
import { updateProjectAction } from './projects/update-project.ts';
import { cancelTaskAction } from './tasks/cancel-task.ts';
import { createTaskAction } from './tasks/create-task.ts';
import { getTaskAction } from './tasks/get-task.ts';
import { listTasksAction } from './tasks/list-tasks.ts';
import { streamTaskEventsAction } from './tasks/stream-task-events.ts';
import { waitTaskAction } from './tasks/wait-task.ts';

/** Every action the server answers: IMM's, then openimm's extensions (docs/api-extensions.md). */
export function actionList(services: AppServices, onFinished: OnFinished): ActionDefinition[] {
  return [
    createProject,
    getProjectAction,
    updateProjectAction,
    deleteProjectAction,
    listProjectsAction,
    getTaskAction,
    listTasksAction,
    ...[...services.processorsByAction.values()].map(createTaskAction),
    cancelTaskAction(onFinished),
    waitTaskAction,
    streamTaskEventsAction,
    listNotificationDeadLettersAction,
    redriveNotificationDeadLettersAction,
  ];
}
