import { create } from 'zustand';
import type { EnvironmentView, ProjectView } from '../../../shared/ipc/projects.contract';
import { api, messageOf } from '../api';

/** Projects and environments (no secrets), and which one is open. */
interface ProjectsState {
  projects: ProjectView[];
  loaded: boolean;
  error: string | undefined;
  selectedProject: string | undefined;
  selectedEnvironment: string | undefined;
  load(): Promise<void>;
  select(project: string, environment?: string): void;
}

export const useProjects = create<ProjectsState>((set, get) => ({
  projects: [],
  loaded: false,
  error: undefined,
  selectedProject: undefined,
  selectedEnvironment: undefined,
  async load() {
    try {
      const { projects } = await api.projects.list({});
      const { selectedProject, selectedEnvironment } = get();
      const project = projects.find((candidate) => candidate.name === selectedProject) ?? projects[0];
      const environment =
        project?.environments.find((candidate) => candidate.name === selectedEnvironment) ?? project?.environments[0];
      set({ projects, loaded: true, error: undefined, selectedProject: project?.name, selectedEnvironment: environment?.name });
    } catch (error) {
      set({ loaded: true, error: messageOf(error) });
    }
  },
  select(project, environment) {
    const found = get().projects.find((candidate) => candidate.name === project);
    set({ selectedProject: project, selectedEnvironment: environment ?? found?.environments[0]?.name });
  },
}));

export function useCurrent(): { project: ProjectView | undefined; environment: EnvironmentView | undefined } {
  const projects = useProjects((state) => state.projects);
  const selectedProject = useProjects((state) => state.selectedProject);
  const selectedEnvironment = useProjects((state) => state.selectedEnvironment);
  const project = projects.find((candidate) => candidate.name === selectedProject);
  const environment = project?.environments.find((candidate) => candidate.name === selectedEnvironment);
  return { project, environment };
}
